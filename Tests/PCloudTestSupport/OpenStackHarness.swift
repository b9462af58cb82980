import Foundation

/// A harness script under Tests/NovaHarness run by a cached virtualenv's Python (made by
/// scripts/setup/openstack.sh), started by a test and stopped by PID. It prints
/// `READY key=value ...` once it serves; the values are parsed into `ready`.
public final class HarnessProcess: @unchecked Sendable {
    public let process: ManagedProcess
    public let ready: [String: String]

    /// Where scripts/setup/openstack.sh keeps the virtualenvs.
    public static var cacheDirectory: String {
        ProcessInfo.processInfo.environment["PCLOUD_CACHE"] ?? "/var/cache/pcloud"
    }

    /// Why the harness cannot run here, or nil when its venv is installed.
    public static func missing(venv: String) -> String? {
        let python = "\(cacheDirectory)/\(venv)/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return "\(python) is missing: run scripts/setup/openstack.sh (it installs the real OpenStack code)"
        }
        return nil
    }

    public init(
        name: String, venv: String, script: String, arguments: [String], environment: [String: String]?,
        timeout: TimeInterval
    ) throws {
        if let reason = Self.missing(venv: venv) { throw HarnessError(reason) }
        let path = BuiltProducts.packageRoot.appendingPathComponent("Tests/NovaHarness/\(script)").path
        let process = try ManagedProcess(
            name, executable: "\(Self.cacheDirectory)/\(venv)/bin/python", arguments: ["-u", path] + arguments,
            environment: environment)
        var line: Substring?
        _ = waitUntil(timeout: timeout) {
            line = process.logText().split(separator: "\n").first { $0.hasPrefix("READY ") }
            return line != nil || !process.isRunning
        }
        guard let line else {
            process.stop()
            throw HarnessError("\(name) did not become ready (log \(process.logURL.path)):\n\(process.logText().suffix(4000))")
        }
        var values: [String: String] = [:]
        for pair in line.dropFirst("READY ".count).split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        self.process = process
        ready = values
    }

    public var port: Int { Int(ready["port"] ?? "") ?? 0 }
    public var log: String { process.logText() }
    public func stop() { process.stop() }
    deinit { process.stop() }
}

/// A TCP port on 127.0.0.1 that nothing listens on now (for servers that must know each
/// other's address before they start, like Keystone's catalog entry for Nova).
public func freeLocalPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    return bound ? Int(UInt16(bigEndian: address.sin_port)) : 0
}

/// A harness that could not be started, with its log.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs blocking work (starting a harness and waiting for it) on its own thread, so a test's
/// await does not hold one of the few cooperative-pool threads other tests need.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
