import Foundation
import Testing
@testable import PCloudModel

/// The bad-input corpus: each file in Corpus/Deployables states, in `# expect:` lines, exactly the errors
/// (line:column: path: message) that loading it must report, and nothing more.
struct DefinitionCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent("Deployables").path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    /// Errors as `line:column: path: message`, with the corpus directory prefix removed from file names
    /// (errors in another file keep that file's relative name).
    static func actualErrors(_ name: String) -> [String] {
        let loader = DefinitionLoader(assembliesDirectory: corpus.appendingPathComponent("Assemblies"))
        let file = corpus.appendingPathComponent("Deployables").appendingPathComponent(name)
        do {
            _ = try loader.loadDeployable(file: file)
            return []
        } catch let errors as DefinitionErrors {
            return errors.errors.map { error in
                let shown = error.location.file == file.relativePath ? "" :
                    String(error.location.file.dropFirst(corpus.relativePath.count + 1)) + ":"
                return "\(shown)\(error.location.line):\(error.location.column): " +
                    (error.path.isEmpty ? "" : "\(error.path): ") + error.message
            }
        } catch {
            return ["unexpected \(type(of: error)): \(error)"]
        }
    }

    static func expectedErrors(_ name: String) throws -> [String] {
        let text = try String(contentsOf: corpus.appendingPathComponent("Deployables").appendingPathComponent(name), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            line.hasPrefix("# expect: ") ? String(line.dropFirst("# expect: ".count)) : nil
        }
    }

    @Test func theCorpusHasAtLeastThirtyMalformedFiles() {
        #expect(Self.files.count >= 30)
    }

    @Test(arguments: files)
    func malformedDefinitionIsRejectedWithItsExactLocationAndMessage(_ name: String) throws {
        let expected = try Self.expectedErrors(name)
        #expect(!expected.isEmpty, "\(name) has no '# expect:' line")
        #expect(Self.actualErrors(name) == expected)
    }
}
