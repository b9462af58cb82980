import Foundation

/// A real cped started by a test on a private socket and store; stopped by PID.
public final class ControllerProcess: @unchecked Sendable {
    public let directory: URL
    public let socketPath: String
    public let storePath: String
    public private(set) var process: ManagedProcess
    let arguments: [String]
    let fileLimit: (soft: Int, hard: Int)?
    let environment: [String: String]?

    /// `config`: a settings file (default: none); `logLevel`: the --log-level flag (nil: none, so the
    /// settings file's level holds); `fileLimit`: cped's RLIMIT_NOFILE (set by prlimit, which then
    /// runs cped in its own process); `environment`: variables added to the test's own (as systemd
    /// sets WATCHDOG_USEC or NOTIFY_SOCKET).
    /// `store`: a `--store` value instead of a private SQLite file (a PostgreSQL URL).
    /// `directory`: where its socket (run/cped.sock) and store go, for a test that must know the
    /// socket before cped is started (default: a new one).
    public init(
        extraArguments: [String] = [], store: String? = nil, definitions: URL = BuiltProducts.packageRoot, config: String? = nil,
        logLevel: String? = "debug", fileLimit: (soft: Int, hard: Int)? = nil, environment: [String: String] = [:],
        directory: URL? = nil
    ) throws {
        self.fileLimit = fileLimit
        self.environment =
            environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let directory = directory ?? URL(fileURLWithPath: "/tmp/pcloud-cped-\(UUID().uuidString.prefix(8))")
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketPath = directory.appendingPathComponent("run/cped.sock").path
        storePath = store ?? directory.appendingPathComponent("store/pcloud.sqlite").path
        arguments =
            [
                "--config", config ?? directory.appendingPathComponent("none.yaml").path, "--socket", socketPath,
                "--store", storePath, "--definitions", definitions.path,
            ] + (logLevel.map { ["--log-level", $0] } ?? []) + extraArguments
        process = try Self.launch(arguments, socketPath: socketPath, fileLimit: fileLimit, environment: self.environment)
    }

    private static func launch(
        _ arguments: [String], socketPath: String, fileLimit: (soft: Int, hard: Int)?, environment: [String: String]?
    ) throws -> ManagedProcess {
        let process =
            if let fileLimit {
                try ManagedProcess(
                    "cped", executable: "/usr/bin/prlimit",
                    arguments: ["--nofile=\(fileLimit.soft):\(fileLimit.hard)", "--", BuiltProducts.path("cped")] + arguments,
                    environment: environment)
            } else {
                try ManagedProcess("cped", executable: BuiltProducts.path("cped"), arguments: arguments, environment: environment)
            }
        // Serving, not merely there: a killed cped leaves its socket file behind until the new one
        // replaces it.
        guard waitUntil(timeout: 30, { unixSocketAccepts(socketPath) || !process.isRunning }),
            process.isRunning
        else {
            throw ControllerError("cped did not start: \(process.logText())")
        }
        return process
    }

    /// kill -9, then a new cped on the same store and socket (a crash and a restart).
    public func crashAndRestart() throws {
        process.signal(SIGKILL)
        process.process.waitUntilExit()
        // The killed one's socket file stays behind: gone, the launch waits for the new cped's own
        // socket (else a client could arrive while the new cped replaces the stale file).
        try? FileManager.default.removeItem(atPath: socketPath)
        process = try Self.launch(arguments, socketPath: socketPath, fileLimit: fileLimit, environment: environment)
    }

    /// SIGTERM (a graceful stop, as systemd does), then a new cped on the same store and socket.
    /// Returns what the stopped one logged.
    @discardableResult
    public func terminateAndRestart() throws -> String {
        process.stop(grace: 30)
        let said = process.logText()
        process = try Self.launch(arguments, socketPath: socketPath, fileLimit: fileLimit, environment: environment)
        return said
    }

    public var log: String { process.logText() }

    public func stop() { process.stop() }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

public struct ControllerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
