import Foundation

/// Runs an external program with a time limit, off Swift's cooperative pool (a Process is waited for
/// on its own thread by Foundation, its output read on a thread of its own). Foundation starts it as
/// the leader of a process group of its own, so when it overruns, it and everything it started are
/// killed together (a killed shell would otherwise leave its `sleep` holding the output pipe).
enum ScriptRun {
    enum Outcome: Equatable {
        case exited(Int32, String)
        case timedOut
        case couldNotStart(String)
    }

    static func run(_ path: String, arguments: [String], environment: [String: String], timeout: Duration) async -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let finished = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in
            finished.continuation.yield()
            finished.continuation.finish()
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            return .couldNotStart("\(path) is not an executable file")
        }
        do { try spawnWithSignalsUnblocked(process) } catch { return .couldNotStart(error.localizedDescription) }
        let collected = OutputCollector(output.fileHandleForReading)
        let timedOut = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in finished.stream {}
                return false
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return !Task.isCancelled
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if timedOut {
            kill(-process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            _ = await collected.data()
            return .timedOut
        }
        let text = String(decoding: await collected.data(), as: UTF8.self)
        return .exited(process.terminationStatus, text)
    }

    /// The end of a program's output, for a one-line report.
    static func tail(_ output: String) -> String {
        let last = output.split(separator: "\n").last.map(String.init) ?? ""
        return last.isEmpty ? "" : ": \(last.prefix(200))"
    }
}

/// Reads a pipe to its end on a thread of its own (a blocking read must not hold a cooperative thread).
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Data?
    private var waiter: CheckedContinuation<Data, Never>?

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            let data = handle.readDataToEndOfFile()
            lock.lock()
            result = data
            let waiting = waiter
            waiter = nil
            lock.unlock()
            waiting?.resume(returning: data)
        }
        thread.start()
    }

    func data() async -> Data {
        await withCheckedContinuation { continuation in
            lock.lock()
            if let result {
                lock.unlock()
                continuation.resume(returning: result)
            } else {
                waiter = continuation
                lock.unlock()
            }
        }
    }
}

/// Starts `process` with an empty signal mask: a hook started from one of Swift's concurrency threads
/// would otherwise inherit their blocked SIGTERM, and so would everything it runs.
func spawnWithSignalsUnblocked(_ process: Process) throws {
    var none = sigset_t()
    var old = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, &old)
    defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
    try process.run()
}
