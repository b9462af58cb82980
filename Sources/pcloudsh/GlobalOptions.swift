import ArgumentParser
import Foundation
import Logging
import PCloudModel
import PCloudStore

/// Options every command shares: where the store and the definitions are.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "The store: a SQLite file, or postgresql://USER@HOST[:PORT]/DB (default: $PCLOUD_STORE, else /var/lib/pcloud/pcloud.sqlite).",
            valueName: "path-or-url"))
    var storePath: String = Store.defaultPath

    @Option(
        name: .customLong("store-password-file"),
        help: ArgumentHelp(
            "A file holding only the PostgreSQL store's password (else passfile= or $PGPASSFILE).", valueName: "file"))
    var storePasswordFile: String?

    @Option(
        name: .customLong("definitions"),
        help: ArgumentHelp(
            "The directory holding Assemblies/ and Assemblies/templates/ (default: $PCLOUD_DEFINITIONS, ./ when it has Assemblies/, else /usr/share/pcloud).",
            valueName: "dir"))
    var definitionsPath: String?

    func openStore() async throws -> Store {
        let location = try StoreLocation(parsing: storePath, passwordFile: storePasswordFile)
        do {
            return try await Store(
                location: location, logger: Logger(label: "pcloudsh.store", factory: { _ in SwiftLogNoOpLogHandler() }))
        } catch let error as StoreError {
            throw error
        } catch {
            throw ShellFailure("cannot open the store at \(location): \(error)")
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
