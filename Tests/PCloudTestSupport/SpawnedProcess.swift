import Foundation

/// A long-running server started with posix_spawn and reaped by its own PID. For daemons that
/// close every inherited descriptor at start (sshd does): Foundation's Process takes that for the
/// child's exit and blocks its monitoring thread in waitpid, stalling every other Process.
public final class SpawnedProcess: @unchecked Sendable {
    public let pid: pid_t
    private let lock = NSLock()
    private var exited = false

    /// Starts `executable`; stdin, stdout and stderr are /dev/null (servers log to files).
    /// `tag`: a `NAME=VALUE` added to its environment, which its children inherit (to find them all).
    public init(_ executable: String, _ arguments: [String], tag: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        if let tag { environment.append(tag) }
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw SpawnError(executable: executable, code: rc) }
        self.pid = pid
    }

    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if exited { return false }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == pid || (rc < 0 && errno == ECHILD) { exited = true }
        return !exited
    }

    /// Blocks until the process exits; its exit status, or -1 when a signal ended it.
    public func waitForExit() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        lock.lock()
        exited = true
        lock.unlock()
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; reaps it.
    public func stop(grace: TimeInterval = 5) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(20_000) }
        if isRunning {
            kill(pid, SIGKILL)
            while isRunning { usleep(10_000) }
        }
    }

    deinit { stop(grace: 2) }
}

public struct SpawnError: Error, CustomStringConvertible {
    public var executable: String
    public var code: Int32
    public var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
}
