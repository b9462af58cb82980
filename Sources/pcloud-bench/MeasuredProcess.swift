#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a program as a child, waits for it with `wait4` and reports its wall time and peak memory
/// (`ru_maxrss` of that child alone). Its standard output goes to `outputPath`, its standard error
/// to `errorPath` (or /dev/null). Past `timeout` seconds it is killed (by its PID) and reported so.
struct MeasuredProcess {
    struct Result {
        var seconds: Double
        /// User plus system CPU time of the child.
        var cpuSeconds: Double
        /// Peak resident memory of the child, KiB.
        var maxRSSKiB: Int
        /// The exit status, nil when it was killed by a signal or timed out.
        var exitStatus: Int32?
        var timedOut: Bool
    }

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    static func run(
        _ executable: String, _ arguments: [String], outputPath: String, errorPath: String = "/dev/null",
        timeout: Double
    ) throws -> Result {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let start = monotonicSeconds()
        let status = posix_spawnp(&pid, executable, &actions, nil, argv, environ)
        guard status == 0 else {
            throw SpawnError(description: "cannot run \(executable): \(String(cString: strerror(status)))")
        }
        var timedOut = false
        var waitStatus: Int32 = 0
        var usage = rusage()
        while true {
            let waited = wait4(pid, &waitStatus, WNOHANG, &usage)
            if waited == pid { break }
            if waited < 0 && errno != EINTR {
                throw SpawnError(description: "wait4 failed: \(String(cString: strerror(errno)))")
            }
            if !timedOut && monotonicSeconds() - start > timeout {
                timedOut = true
                kill(pid, SIGKILL)
            }
            usleep(timedOut ? 1_000 : 2_000)
        }
        let seconds = monotonicSeconds() - start
        let exited = (waitStatus & 0x7f) == 0
        return Result(
            seconds: seconds,
            cpuSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            maxRSSKiB: Int(usage.ru_maxrss), exitStatus: exited ? (waitStatus >> 8) & 0xff : nil,
            timedOut: timedOut)
    }

    static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
