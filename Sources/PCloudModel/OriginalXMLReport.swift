/// What an import of the original's XML found, each located at its element: errors (the file does
/// not import), warnings (it imports, but something does not carry over as written: `validate`
/// refuses it) and notes (kept differently without changing what the deployable does).
final class OriginalXMLReport {
    let file: String
    let errors = Diagnostics()
    let warnings = Diagnostics()
    let notes = Diagnostics()

    init(file: String) {
        self.file = file
    }

    func fail(_ node: XMLElementNode, _ path: String, _ message: String) {
        errors.report(located(node, path, message))
    }

    func warn(_ node: XMLElementNode, _ path: String, _ message: String) {
        warnings.report(located(node, path, message))
    }

    func note(_ node: XMLElementNode, _ path: String, _ message: String) {
        notes.report(located(node, path, message))
    }

    private func located(_ node: XMLElementNode, _ path: String, _ message: String) -> DefinitionError {
        DefinitionError(location: SourceLocation(file: file, line: node.line, column: node.column), path: path, message: message)
    }
}
