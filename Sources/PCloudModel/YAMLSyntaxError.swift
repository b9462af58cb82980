import Yams

/// Turns a YAML syntax error into a located definition error.
enum YAMLSyntaxError {
    static func definitionError(_ error: YamlError, file: String) -> DefinitionError {
        func located(_ mark: Mark, _ problem: String, _ context: YamlError.Context?) -> DefinitionError {
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            return DefinitionError(location: SourceLocation(file: file, line: mark.line, column: mark.column), path: "",
                                   message: "not valid YAML: \(detail)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _): return located(mark, problem, context)
        case .parser(let context, let problem, let mark, _): return located(mark, problem, context)
        case .composer(let context, let problem, let mark, _): return located(mark, problem, context)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return located(context.mark, "duplicate keys: \(duplicates.joined(separator: ", "))", nil)
        default:
            return DefinitionError(location: SourceLocation(file: file, line: 1, column: 1), path: "",
                                   message: "not valid YAML: \(error)")
        }
    }
}
