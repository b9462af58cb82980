import ArgumentParser
import Foundation
import PCloudModel
import PCloudStore

/// Options every command shares: where the store and the definitions are.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("store"), help: ArgumentHelp("The SQLite store.", valueName: "path"))
    var storePath: String = Store.defaultPath

    @Option(
        name: .customLong("definitions"),
        help: ArgumentHelp(
            "The directory holding Assemblies/ and Assemblies/templates/ (default: $PCLOUD_DEFINITIONS, ./ when it has Assemblies/, else /usr/share/pcloud).",
            valueName: "dir"))
    var definitionsPath: String?

    func openStore() throws -> Store {
        do { return try Store(path: storePath) } catch {
            throw ShellFailure("cannot open the store at \(storePath): \(error)")
        }
    }

    var definitionsRoot: URL {
        if let definitionsPath { return URL(fileURLWithPath: definitionsPath) }
        if let fromEnvironment = ProcessInfo.processInfo.environment["PCLOUD_DEFINITIONS"] {
            return URL(fileURLWithPath: fromEnvironment)
        }
        if FileManager.default.fileExists(atPath: "Assemblies") { return URL(fileURLWithPath: ".") }
        return URL(fileURLWithPath: "/usr/share/pcloud")
    }

    var loader: DefinitionLoader { DefinitionLoader(root: definitionsRoot) }
}

/// `--json` for read commands.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of a table.")
    var json = false
}

/// A command failed for a reason the user can act on; printed without a stack trace, exit status 1.
struct ShellFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
