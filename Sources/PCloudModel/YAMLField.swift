import Yams

/// A YAML node at a known place (file, line, column, field path), with typed readers that report
/// every problem to `diagnostics` and return nil instead of throwing, so one load finds all errors.
struct YAMLField {
    let node: Node
    let path: String
    let file: String
    let diagnostics: Diagnostics
    /// Where the parent mapping starts, for nodes that carry no mark of their own.
    let fallback: SourceLocation

    var location: SourceLocation {
        guard let mark = node.mark else { return fallback }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    func error(_ message: String) {
        diagnostics.report(DefinitionError(location: location, path: path, message: message))
    }

    func child(_ node: Node, key: String) -> YAMLField {
        YAMLField(
            node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file,
            diagnostics: diagnostics, fallback: location)
    }

    func element(_ node: Node, index: Int) -> YAMLField {
        YAMLField(node: node, path: "\(path)[\(index)]", file: file, diagnostics: diagnostics, fallback: location)
    }

    var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// What the node is, for "expected X, got Y" messages.
    var shape: String {
        switch node {
        case .scalar(let scalar): return isNull ? "nothing" : "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    func string() -> String? {
        guard case .scalar(let scalar) = node, !isNull else {
            error("expected a string, got \(shape)")
            return nil
        }
        return scalar.string
    }

    /// A name following `NameRule` (the one rule for every name), usable in paths and commands.
    func name() -> String? {
        guard let text = string() else { return nil }
        if let problem = NameRule.problem(text) {
            error(problem)
            return nil
        }
        return text
    }

    /// A resource type (`allowAt`) or provider: `NameRule`'s agent form; never a path.
    func agentName(allowAt: Bool) -> String? {
        guard let text = string() else { return nil }
        if let problem = NameRule.agentProblem(text, allowAt: allowAt) {
            error(problem)
            return nil
        }
        return text
    }

    func int(in range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, !isNull, let value = Int(scalar.string) else {
            error("expected a whole number, got \(shape)")
            return nil
        }
        guard range.contains(value) else {
            error("expected a number from \(range.lowerBound) to \(range.upperBound), got \(value)")
            return nil
        }
        return value
    }

    /// A duration of at most `DurationText.maximum`.
    func duration() -> Duration? {
        guard case .scalar(let scalar) = node, !isNull else {
            error("expected a duration such as 10s, 2m, 500ms or a number of seconds, got \(shape)")
            return nil
        }
        switch DurationText.read(scalar.string) {
        case .success(let value): return value
        case .failure(let problem):
            error(DurationText.message(problem, text: scalar.string))
            return nil
        }
    }

    /// A positive duration (intervals and timeouts cannot be zero).
    func positiveDuration() -> Duration? {
        guard let value = duration() else { return nil }
        guard value > .zero else {
            error("must be longer than 0s")
            return nil
        }
        return value
    }

    func choice<E: RawRepresentable & CaseIterable>(_ type: E.Type) -> E? where E.RawValue == String {
        guard let text = string() else { return nil }
        if let value = E(rawValue: text) { return value }
        let names = E.allCases.map(\.rawValue)
        error("expected one of \(names.joined(separator: ", ")), got '\(text)'\(DidYouMean.hint(for: text, among: names))")
        return nil
    }

    func sequence() -> [YAMLField]? {
        guard case .sequence(let items) = node else {
            error("expected a list, got \(shape)")
            return nil
        }
        return items.enumerated().map { element($0.element, index: $0.offset) }
    }

    /// The node as a mapping whose keys must be among `keys`; unknown keys are reported with a
    /// did-you-mean, duplicate keys too.
    func mapping(keys: [String]) -> YAMLMapping? {
        guard case .mapping(let mapping) = node else {
            error("expected a mapping, got \(shape)")
            return nil
        }
        var fields: [String: YAMLField] = [:]
        var order: [String] = []
        var misspelt: Set<String> = []
        for (keyNode, valueNode) in mapping {
            let keyField = child(keyNode, key: keyNode.string ?? "?")
            guard let key = keyNode.string else {
                keyField.error("keys must be plain words")
                continue
            }
            guard keys.contains(key) else {
                if let intended = DidYouMean.suggestion(for: key, among: keys) { misspelt.insert(intended) }
                keyField.error(
                    "unknown field '\(key)'\(DidYouMean.hint(for: key, among: keys)); expected one of \(keys.joined(separator: ", "))"
                )
                continue
            }
            if fields[key] != nil {
                keyField.error("'\(key)' is given twice")
                continue
            }
            fields[key] = child(valueNode, key: key)
            order.append(key)
        }
        return YAMLMapping(field: self, fields: fields, order: order, misspelt: misspelt)
    }
}

/// A mapping whose keys were checked; optional and required fields read from it.
struct YAMLMapping {
    let field: YAMLField
    let fields: [String: YAMLField]
    /// Keys in the order written.
    let order: [String]
    /// Known keys that an unknown key looked like a typo of (already reported with a did-you-mean).
    let misspelt: Set<String>

    func optional(_ key: String) -> YAMLField? {
        guard let value = fields[key], !value.isNull else { return nil }
        return value
    }

    func required(_ key: String) -> YAMLField? {
        if let value = optional(key) { return value }
        if misspelt.contains(key) { return nil }
        let path = field.path.isEmpty ? key : "\(field.path).\(key)"
        let at = fields[key]?.location ?? field.location
        field.diagnostics.report(DefinitionError(location: at, path: path, message: "missing required field '\(key)'"))
        return nil
    }
}
