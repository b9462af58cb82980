import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A small element tree with the line and column where each element starts, for located errors.
final class XMLElementNode {
    let name: String
    let attributes: [String: String]
    private(set) var line: Int
    private(set) var column: Int
    var children: [XMLElementNode] = []
    var text = ""

    init(name: String, attributes: [String: String], line: Int, column: Int) {
        self.name = name
        self.attributes = attributes
        self.line = line
        self.column = column
    }

    func children(named name: String) -> [XMLElementNode] { children.filter { $0.name == name } }
    func child(named name: String) -> XMLElementNode? { children.first { $0.name == name } }

    /// Parses `data`; a syntax error becomes a located definition error.
    static func parse(_ data: Data, file: String) throws -> XMLElementNode {
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        let parsed = parser.parse()
        if let problem = builder.problem {
            throw DefinitionErrors([
                DefinitionError(
                    location: SourceLocation(file: file, line: problem.line, column: problem.column),
                    path: "", message: "not well-formed XML: \(problem.message)")
            ])
        }
        if !parsed || builder.root == nil || !builder.stack.isEmpty {
            let message =
                parser.parserError.map { "not well-formed XML (\(($0 as NSError).localizedDescription))" }
                ?? "not well-formed XML: the document ends before every element is closed"
            throw DefinitionErrors([
                DefinitionError(
                    location: SourceLocation(
                        file: file, line: max(1, parser.lineNumber),
                        column: max(1, parser.columnNumber)),
                    path: "", message: message)
            ])
        }
        builder.root!.relocate(
            in: Array(String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)))
        return builder.root!
    }

    /// The parser reports where a start tag ends; point each element at its `<name` instead.
    private func relocate(in lines: [Substring]) {
        var line = self.line
        var column = self.column
        while line >= 1 && line <= lines.count {
            let text = Array(lines[line - 1])
            let end = min(column - 1, text.count)
            let needle = Array("<\(name)")
            if end >= needle.count,
                let start = stride(from: end - needle.count, through: 0, by: -1).first(where: {
                    Array(text[$0..<($0 + needle.count)]) == needle
                })
            {
                (self.line, self.column) = (line, start + 1)
                break
            }
            line -= 1
            column = Int.max
        }
        for child in children { child.relocate(in: lines) }
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: XMLElementNode?
        var stack: [XMLElementNode] = []
        var problem: (line: Int, column: Int, message: String)?

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            if problem == nil {
                problem = (max(1, parser.lineNumber), max(1, parser.columnNumber), (parseError as NSError).localizedDescription)
            }
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName: String?, attributes: [String: String] = [:]
        ) {
            let node = XMLElementNode(
                name: elementName, attributes: attributes, line: parser.lineNumber,
                column: parser.columnNumber)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard let open = stack.last, open.name == elementName else {
                if problem == nil {
                    problem = (
                        parser.lineNumber, max(1, parser.columnNumber),
                        "</\(elementName)> closes <\(stack.last?.name ?? "nothing")>"
                    )
                }
                return
            }
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}
