import Yams

/// Turns a YAML syntax error into a located definition error.
enum YAMLSyntaxError {
    static func definitionError(_ error: YamlError, file: String, text: String) -> DefinitionError {
        func located(_ mark: Mark, _ problem: String, _ context: YamlError.Context?) -> DefinitionError {
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            return DefinitionError(
                location: SourceLocation(file: file, line: mark.line, column: mark.column), path: "",
                message: "not valid YAML: \(detail)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _): return located(mark, problem, context)
        case .parser(let context, let problem, let mark, _): return located(mark, problem, context)
        case .composer(let context, let problem, let mark, _): return located(mark, problem, context)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            let at = secondOccurrence(of: key, after: context.mark, in: text) ?? (context.mark.line, context.mark.column)
            return DefinitionError(
                location: SourceLocation(file: file, line: at.line, column: at.column), path: key,
                message: "'\(key)' is given twice in one mapping")
        default:
            return DefinitionError(
                location: SourceLocation(file: file, line: 1, column: 1), path: "",
                message: "not valid YAML: \(error)")
        }
    }

    /// Yams marks a duplicate key at its mapping; point at the second time the key is written instead.
    private static func secondOccurrence(of key: String, after mark: Mark, in text: String) -> (line: Int, column: Int)? {
        var seen = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where index + 1 >= mark.line {
            let indent = line.prefix(while: { $0 == " " }).count
            let rest = line.dropFirst(indent)
            guard rest.hasPrefix("\(key):") || rest.hasPrefix("- \(key):") else { continue }
            seen += 1
            if seen == 2 { return (index + 1, indent + 1) }
        }
        return nil
    }
}
