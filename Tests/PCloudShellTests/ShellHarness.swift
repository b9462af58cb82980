import Foundation
import PCloudTestSupport

/// Runs the real pcloudsh binary against a private store and a copy of the repository's definitions.
struct ShellHarness {
    let directory: URL
    /// $PCLOUD_STORE for every run: a private SQLite file, or the store given (a PostgreSQL URL).
    let store: String

    init(store: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pcloudsh-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.store = store ?? directory.appendingPathComponent("store/pcloud.sqlite").path
        for sub in ["Assemblies", "Deployables"] {
            try FileManager.default.copyItem(at: BuiltProducts.packageRoot.appendingPathComponent(sub),
                                             to: directory.appendingPathComponent(sub))
        }
    }

    struct Result {
        var status: Int32
        /// True when pcloudsh was killed by a signal (a trap is SIGILL or SIGTRAP), not an exit.
        var signalled = false
        var stdout: String
        var stderr: String
    }

    /// `pcloudsh ARGS` with the working directory at the copied definitions.
    func run(_ arguments: [String], input: String? = nil, environment extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.path("pcloudsh"))
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["PCLOUD_STORE"] = store
        environment["HOME"] = directory.path
        environment.merge(extra) { $1 }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    func run(_ words: String...) throws -> Result { try run(words) }
}
