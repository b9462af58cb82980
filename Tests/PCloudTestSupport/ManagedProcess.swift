import Foundation

/// A real server process started by a test (sshd, libvirtd, rabbitmq-server, the Nova harness).
/// It is stopped by its own PID when the owner is done with it, never by name.
public final class ManagedProcess: @unchecked Sendable {
    public let process: Process
    public let name: String
    public let logURL: URL

    /// Starts `executable` with `arguments`; stdout and stderr go to a log file in the temporary
    /// directory, whose path is given in failures so a broken fixture can be diagnosed.
    public init(_ name: String, executable: String, arguments: [String] = [],
                environment: [String: String]? = nil, directory: URL? = nil) throws {
        self.name = name
        self.logURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("pcloud-\(name)-\(UUID().uuidString.prefix(8)).log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = log
        process.standardError = log
        try withSignalsUnblocked { try process.run() }
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// The log so far, for failure messages.
    public func logText() -> String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    /// Sends `signal` to this process only.
    public func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; waits for exit.
    public func stop(grace: TimeInterval = 5) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop(grace: 2) }
}

/// Runs a command to completion and returns its exit status and combined output. Bounded: a
/// command still running after `timeout` seconds is killed (status -1, the output so far and a line
/// saying so), and output is read only until the command exits (plus 2 s), so a background child
/// holding the pipe open cannot hang the test run.
@discardableResult
public func runCommand(_ executable: String, _ arguments: [String],
                       environment: [String: String]? = nil, timeout: TimeInterval = 600) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try withSignalsUnblocked { try process.run() }
    let output = PipeCollector(pipe.fileHandleForReading)
    var timedOut = false
    if exited.wait(timeout: .now() + timeout) == .timedOut {
        timedOut = true
        kill(process.processIdentifier, SIGKILL)
        exited.wait()
    }
    var text = output.text(waiting: 2)
    if timedOut { text += "\n[runCommand: \(executable) was killed after \(Int(timeout)) s]" }
    return (timedOut ? -1 : process.terminationStatus, text)
}

/// Reads a pipe to its end on a thread of its own; `text(waiting:)` gives what arrived by then.
private final class PipeCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let ended = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { data.append(chunk) }
            }
            ended.signal()
        }
    }

    func text(waiting seconds: TimeInterval) -> String {
        _ = ended.wait(timeout: .now() + seconds)
        return lock.withLock { String(decoding: data, as: UTF8.self) }
    }
}

/// Polls `condition` every 50 ms until it holds or `timeout` seconds pass.
public func waitUntil(timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

/// True when a TCP connect to host:port succeeds (the server is listening).
public func portIsOpen(_ host: String, _ port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    inet_pton(AF_INET, host, &address.sin_addr)
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    return result == 0
}

/// Why an integration test cannot run here, or nil when it can. Tests print the reason and skip;
/// they never pass silently.
public func missingPrerequisite(executables: [String] = [], needsRoot: Bool = false) -> String? {
    if needsRoot && getuid() != 0 { return "needs root (network namespaces, daemons)" }
    for path in executables where !FileManager.default.isExecutableFile(atPath: path) {
        return "\(path) is not installed (run .ci/run or scripts/setup to install it)"
    }
    return nil
}

/// Foundation's Process passes the spawning thread's signal mask to the child, and Swift's
/// concurrency threads block SIGTERM and others: a daemon started from an async test would then
/// ignore the SIGTERM meant to stop it. The mask is cleared for the spawn only.
public func withSignalsUnblocked<T>(_ body: () throws -> T) rethrows -> T {
    var none = sigset_t()
    var old = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, &old)
    defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
    return try body()
}
