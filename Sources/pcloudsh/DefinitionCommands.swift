import ArgumentParser
import Foundation
import PCloudModel
import PCloudStore

struct DeployableImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployable_import", abstract: "Store a deployable from a YAML file or the original's XML.",
        discussion: """
            YAML deployables name assemblies from the Assemblies/ directory beside their Deployables/ directory. \
            A YAML file without a uuid gets one written back into it. XML files are the original Pacemaker Cloud \
            format (/var/run/NAME.xml), including the original shell's misspelt paramaters/paramater elements.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The file (.yaml or .xml).") var file: String
    @Flag(help: "Replace a stored deployable (and its assemblies) of the same name.") var replace = false
    @Option(help: "Base image for assemblies imported from XML.") var image: String = "debian12"

    func run() async throws {
        let url = URL(fileURLWithPath: file)
        let deployable: Deployable
        do {
            if url.pathExtension.lowercased() == "xml" {
                var importer = OriginalXMLImport(image: image)
                deployable = try importer.importDeployable(file: url)
                for warning in importer.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
                for note in importer.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            } else {
                let loader = global.definitionsPath == nil ? DefinitionLoader.beside(url) : global.loader
                deployable = try loader.loadDeployable(file: url)
            }
        } catch let errors as DefinitionErrors {
            throw ShellFailure(errors.description)
        }
        let stored = try await global.openStore().importDeployable(deployable, replace: replace)
        if url.pathExtension.lowercased() != "xml", deployable.uuid == nil, let uuid = stored.uuid {
            do { try UUIDWriteBack.write(uuid, into: url) } catch {
                FileHandle.standardError.write(
                    Data("warning: could not write the uuid back into \(file): \(error.localizedDescription)\n".utf8))
            }
        }
        print(
            "Deployable \(stored.name) imported: \(stored.assemblies.count) assemblies, \(stored.assemblies.reduce(0) { $0 + $1.resources.count }) resources (uuid \(stored.uuid!.uuidString.lowercased()))."
        )
    }
}

struct DeployableExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployable_export", abstract: "Print a stored deployable as YAML or the original's XML.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The deployable.") var name: String
    @Option(help: "yaml or xml.") var format: String = "yaml"
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?
    @Flag(help: "Write the XML even when it cannot hold everything the deployable defines (says what is left out).")
    var lossy = false

    func run() async throws {
        guard let deployable = try await global.openStore().deployable(named: name) else {
            throw StoreError.notFound(kind: "deployable", name: name)
        }
        let text: String
        switch format {
        case "yaml": text = YAMLExport.yaml(deployable)
        case "xml":
            let lost = OriginalXMLExport.unexpressible(deployable)
            if !lost.isEmpty {
                let list = lost.joined(separator: "; ")
                guard lossy else {
                    throw ShellFailure(
                        "the original XML format cannot hold \(list) of deployable '\(name)': export it as YAML, or pass --lossy to write the XML without them"
                    )
                }
                FileHandle.standardError.write(Data("warning: left out of the XML: \(list)\n".utf8))
            }
            text = OriginalXMLExport.xml(deployable)
        default: throw ValidationError("--format must be yaml or xml, got '\(format)'")
        }
        if let output { try text.write(toFile: output, atomically: true, encoding: .utf8) } else { print(text, terminator: "") }
    }
}

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check definition files without storing anything.",
        discussion:
            "PATH may be a deployable (.yaml or .xml), an assembly or template under Assemblies/, or a directory holding Deployables/ and Assemblies/."
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var outputOptions: OutputOptions
    @Argument(help: "Files or directories.") var paths: [String]

    struct Result: Encodable {
        var file: String
        var ok: Bool
        var errors: [String]
        /// What deployable_import would warn about: the file is not ok.
        var warnings: [String] = []
        /// What is kept in another form: shown, the file stays ok.
        var notes: [String] = []
    }

    func run() async throws {
        var results: [Result] = []
        for path in paths {
            for (file, kind) in try DefinitionFiles.expand(path) {
                results.append(check(file, kind))
            }
        }
        if outputOptions.json {
            try Output.json(results)
        } else {
            for result in results {
                for error in result.errors { print(error) }
                for warning in result.warnings { print("warning: \(warning)") }
                for note in result.notes { print("note: \(note)") }
                if result.ok { print("ok      \(result.file)") }
            }
        }
        let failed = results.filter { !$0.ok }.count
        if failed > 0 {
            if !outputOptions.json { print("\(failed) of \(results.count) file\(results.count == 1 ? "" : "s") have errors") }
            throw ExitCode.failure
        }
    }

    private func check(_ file: URL, _ kind: DefinitionFiles.Kind) -> Result {
        do {
            switch kind {
            case .deployable:
                let loader = global.definitionsPath == nil ? DefinitionLoader.beside(file) : global.loader
                _ = try loader.loadDeployable(file: file)
            case .originalXML:
                var importer = OriginalXMLImport()
                _ = try importer.importDeployable(file: file)
                return Result(
                    file: file.relativePath, ok: importer.warnings.isEmpty, errors: [],
                    warnings: importer.warnings.map(\.description), notes: importer.notes.map(\.description))
            case .assembly:
                _ = try DefinitionLoader(assembliesDirectory: file.deletingLastPathComponent()).loadAssembly(file: file)
            case .template:
                _ = try DefinitionLoader(assembliesDirectory: nil, templatesDirectory: file.deletingLastPathComponent())
                    .loadTemplate(named: file.deletingPathExtension().lastPathComponent)
            }
            return Result(file: file.relativePath, ok: true, errors: [])
        } catch let errors as DefinitionErrors {
            return Result(file: file.relativePath, ok: false, errors: errors.errors.map(\.description))
        } catch {
            return Result(file: file.relativePath, ok: false, errors: ["\(file.relativePath): \(error)"])
        }
    }
}

/// Which definition files a path stands for.
enum DefinitionFiles {
    enum Kind { case deployable, originalXML, assembly, template }

    static func expand(_ path: String) throws -> [(URL, Kind)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ShellFailure("\(path): no such file or directory")
        }
        let url = URL(fileURLWithPath: path)
        if !isDirectory.boolValue { return [(url, kind(of: url))] }
        var found: [(URL, Kind)] = []
        for sub in ["Deployables", "Assemblies", "Assemblies/templates", ""] {
            let directory = sub.isEmpty ? url : url.appendingPathComponent(sub)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { continue }
            for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".xml") {
                let file = directory.appendingPathComponent(name)
                if !found.contains(where: { $0.0.standardizedFileURL == file.standardizedFileURL }) {
                    found.append((file, kind(of: file)))
                }
            }
        }
        return found
    }

    static func kind(of file: URL) -> Kind {
        if file.pathExtension.lowercased() == "xml" { return .originalXML }
        let parent = file.deletingLastPathComponent().lastPathComponent
        if parent == "templates" { return .template }
        if parent == "Assemblies" { return .assembly }
        return .deployable
    }
}
