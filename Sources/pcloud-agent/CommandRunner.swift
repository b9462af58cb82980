import Foundation
import PCloudModel

/// Runs one resource command as a child process with a timeout. The child gets a clean signal
/// mask and default handlers (threads of Swift's pool block signals, and services an agent
/// starts must see SIGTERM), its own process group (a timeout kills the whole group), stdin from
/// /dev/null and stdout+stderr in a temporary file. Exit is polled with WNOHANG: nothing blocks
/// a thread of the cooperative pool. A program that is not a path (`systemctl`) is found on the
/// agent's PATH, as the guest's shell finds it over ssh.
enum CommandRunner {
    /// Output kept for the reply and the event log.
    static let outputLimit = 4096

    static func run(_ command: ResourceCommand, timeout: Duration) async -> (OCFExitCode, String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("pcloud-agent-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        let environment = ProcessInfo.processInfo.environment.merging(command.environment) { $1 }
        let pid: pid_t
        do {
            pid = try spawn(command.executable, command.arguments, environment: environment, output: outputPath)
        } catch {
            return (.notInstalled, "cannot run \(command.executable): \(error)")
        }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var status: Int32 = 0
        var timedOut = false
        while waitpid(pid, &status, WNOHANG) == 0 {
            if clock.now >= deadline {
                kill(-pid, SIGKILL)
                waitpid(pid, &status, 0)
                timedOut = true
                break
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        let text = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        let bounded = String(text.suffix(outputLimit)).trimmingCharacters(in: .whitespacesAndNewlines)
        if timedOut { return (.unknownError, "timed out after \(timeout)\(bounded.isEmpty ? "" : ": " + bounded)") }
        // WIFEXITED / WEXITSTATUS by hand (the macros are not imported).
        let signal = status & 0x7f
        guard signal == 0 else { return (.unknownError, "killed by signal \(signal)\(bounded.isEmpty ? "" : ": " + bounded)") }
        return (command.code(status: (status >> 8) & 0xff), bounded)
    }

    private static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], output: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw AgentFailure(String(cString: strerror(result))) }
        return pid
    }
}
