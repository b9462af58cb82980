import Foundation

/// CPU time and memory of one running process, read from /proc (any process of this machine:
/// the controller itself, the broker's Erlang VM, the load generators).
struct ProcessSample: Sendable {
    /// User plus system CPU time so far.
    var cpuSeconds: Double
    /// Resident memory now, KiB.
    var rssKiB: Int
    /// Peak resident memory so far, KiB.
    var peakKiB: Int

    /// Reads `/proc/PID/stat` and `/proc/PID/status`; nil when the process is gone.
    static func read(_ pid: Int32) -> ProcessSample? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after "(comm)": state is field 3, utime 14 and stime 15 (clock ticks).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        func kib(_ key: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return ProcessSample(cpuSeconds: (user + system) / ticks, rssKiB: kib("VmRSS"), peakKiB: kib("VmHWM"))
    }

    /// The processes named `name` (e.g. `beam.smp`) that descend from `ancestor`: the broker's
    /// Erlang VM that this process started, never another broker on the machine.
    static func find(name: String, descendantOf ancestor: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        func parent(_ pid: Int32) -> Int32? {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 ? Int32(fields[1]) : nil
        }
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
                comm.trimmingCharacters(in: .whitespacesAndNewlines) == name
            else { return false }
            var current = pid
            while let up = parent(current), up > 1 {
                if up == ancestor { return true }
                current = up
            }
            return false
        }
    }
}

/// CPU used by a set of processes over a window: cores = CPU seconds / wall seconds.
struct CPUWindow: Sendable {
    var start: [Int32: ProcessSample]
    var startedAt: Double

    init(_ pids: [Int32]) {
        startedAt = MeasuredProcess.monotonicSeconds()
        start = Dictionary(uniqueKeysWithValues: pids.compactMap { pid in ProcessSample.read(pid).map { (pid, $0) } })
    }

    /// Cores used since `init` by the processes still running, and their summed RSS now.
    func end() -> (cores: Double, rssKiB: Int, peakKiB: Int) {
        let wall = MeasuredProcess.monotonicSeconds() - startedAt
        var cpu = 0.0
        var rss = 0
        var peak = 0
        for (pid, first) in start {
            guard let last = ProcessSample.read(pid) else { continue }
            cpu += last.cpuSeconds - first.cpuSeconds
            rss += last.rssKiB
            peak += last.peakKiB
        }
        return (wall > 0 ? cpu / wall : 0, rss, peak)
    }
}
