import Foundation

/// A real cped started by a test on a private socket and store; stopped by PID.
public final class ControllerProcess: @unchecked Sendable {
    public let directory: URL
    public let socketPath: String
    public let storePath: String
    public let process: ManagedProcess

    public init(extraArguments: [String] = [], definitions: URL = BuiltProducts.packageRoot) throws {
        directory = URL(fileURLWithPath: "/tmp/pcloud-cped-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketPath = directory.appendingPathComponent("run/cped.sock").path
        storePath = directory.appendingPathComponent("store/pcloud.sqlite").path
        process = try ManagedProcess("cped", executable: BuiltProducts.path("cped"), arguments: [
            "--config", directory.appendingPathComponent("none.yaml").path, "--socket", socketPath, "--store", storePath,
            "--definitions", definitions.path, "--log-level", "debug",
        ] + extraArguments)
        guard waitUntil(timeout: 30, { FileManager.default.fileExists(atPath: socketPath) || !process.isRunning }),
              process.isRunning else {
            throw ControllerError("cped did not start: \(process.logText())")
        }
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
