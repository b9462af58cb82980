import Foundation
import PCloudSSH
import PCloudTestSupport
import Synchronization

/// Liveness checks (`cat /proc/uptime`) against real sshd on 127.0.0.1, three ways: persistent
/// libssh2 sessions on one loop thread, a forked `ssh` per check, and `ssh` over a ControlMaster.
/// Reports checks per second, latency and the controller's CPU per check (own plus children's).
struct SSHBench {
    var guests = 50
    var rounds = 10
    var forkChecks = 100
    var daemons = 4
    var workers = 8
    /// With an interval: also probe every guest every `interval` seconds for `duration` seconds
    /// and report the cores the controller used (CPU seconds per wall second).
    var interval = 0
    var duration = 30

    struct Row {
        var method: String
        var checks: Int
        var wall: Double
        var latencies: [Double]
        var cpu: Double

        var cpuPerCheck: Double { cpu / Double(checks) * 1000 }
        func percentile(_ p: Double) -> Double {
            let sorted = latencies.sorted()
            return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000
        }
    }

    func run() async throws {
        let servers = try (0..<daemons).map { _ in try SSHDaemon(maxSessions: 1000) }
        for server in servers { try server.start() }
        defer { for server in servers { server.stop() } }
        Self.progress("\(daemons) sshd up; \(guests) persistent sessions x \(rounds) rounds")
        let persistent = try await measurePersistent(servers)
        Self.progress("forking ssh for \(forkChecks) checks")
        let forked = try measureForked(servers, master: false)
        Self.progress("ssh over ControlMaster for \(forkChecks) checks")
        let multiplexed = try measureForked(servers, master: true)
        print(Self.table([persistent, forked, multiplexed], rss: Self.residentMiB()))
        if interval > 0 { try await measureSustained(servers) }
    }

    /// Every guest probed once per interval, as the monitor does; cores = CPU s / wall s.
    private func measureSustained(_ servers: [SSHDaemon]) async throws {
        Self.progress("\(guests) guests probed every \(interval) s for \(duration) s")
        let sessions = (0..<guests).map { index in
            let server = servers[index % servers.count]
            return SSHSession(
                host: server.host, port: server.port, user: NSUserName(),
                identity: SSHIdentity(privateKeyPath: server.clientKeyPath), pinnedHostKey: server.hostKey)
        }
        for session in sessions { _ = try await session.connect() }
        let cpuBefore = Self.cpuSeconds()
        let start = ContinuousClock.now
        var probes = 0
        var failures = 0
        var latencies: [Double] = []
        while ContinuousClock.now < start + .seconds(duration) {
            let tick = ContinuousClock.now
            let results = await withTaskGroup(of: Double?.self) { group in
                for session in sessions {
                    group.addTask {
                        let begin = Date()
                        guard (try? await session.exec("cat /proc/uptime", timeout: .seconds(5)))?.exitStatus == 0 else {
                            return nil
                        }
                        return Date().timeIntervalSince(begin)
                    }
                }
                return await group.reduce(into: [Double?]()) { $0.append($1) }
            }
            probes += results.count
            failures += results.filter { $0 == nil }.count
            latencies += results.compactMap { $0 }
            try await Task.sleep(until: tick + .seconds(interval))
        }
        let wall = Double((ContinuousClock.now - start).components.seconds)
        let cpu = Self.cpuSeconds() - cpuBefore
        let row = Row(method: "sustained", checks: probes, wall: wall, latencies: latencies, cpu: cpu)
        print(
            String(
                format: "sustained: %d guests every %d s for %.0f s: %d probes (%d failed), %.3f cores, "
                    + "%.3f CPU ms/probe, p50 %.1f ms, p99 %.1f ms, RSS %.1f MiB",
                guests, interval, wall, probes, failures, cpu / wall, row.cpuPerCheck, row.percentile(0.5),
                row.percentile(0.99), Self.residentMiB()))
    }

    private func measurePersistent(_ servers: [SSHDaemon]) async throws -> Row {
        let sessions = (0..<guests).map { index in
            let server = servers[index % servers.count]
            return SSHSession(
                host: server.host, port: server.port, user: NSUserName(),
                identity: SSHIdentity(privateKeyPath: server.clientKeyPath), pinnedHostKey: server.hostKey)
        }
        for session in sessions { _ = try await session.connect() }  // connecting is not a check
        let cpuBefore = Self.cpuSeconds()
        let start = Date()
        var latencies: [Double] = []
        for _ in 0..<rounds {
            latencies += try await withThrowingTaskGroup(of: Double.self) { group in
                for session in sessions {
                    group.addTask {
                        let begin = Date()
                        let result = try await session.exec("cat /proc/uptime", timeout: .seconds(30))
                        guard result.exitStatus == 0 else { throw BenchError.checkFailed(result.stderr) }
                        return Date().timeIntervalSince(begin)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        return Row(
            method: "libssh2, persistent, 1 thread", checks: guests * rounds, wall: Date().timeIntervalSince(start),
            latencies: latencies, cpu: Self.cpuSeconds() - cpuBefore)
    }

    private func measureForked(_ servers: [SSHDaemon], master: Bool) throws -> Row {
        let controlDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("pcloud-bench-ssh-\(getpid())")
        try FileManager.default.createDirectory(at: controlDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: controlDirectory) }
        func arguments(_ server: SSHDaemon, _ extra: [String]) -> [String] {
            [
                "-i", server.clientKeyPath, "-p", String(server.port), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            ] + extra + ["\(NSUserName())@\(server.host)"]
        }
        func socket(_ index: Int) -> String { controlDirectory.appendingPathComponent("\(index)").path }
        var masterPIDs: [Int32] = []
        if master {
            for (index, server) in servers.enumerated() {
                _ = try Self.spawnAndWait("/usr/bin/ssh", arguments(server, ["-M", "-S", socket(index), "-fN"]))
                let check = try runCommand("/usr/bin/ssh", ["-S", socket(index), "-O", "check", "x"]).output
                if let pid = check.split(separator: "=").last.flatMap({ Int32($0.filter(\.isNumber)) }) { masterPIDs.append(pid) }
            }
        }
        defer {
            for (index, _) in servers.enumerated() where master {
                _ = try? runCommand("/usr/bin/ssh", ["-S", socket(index), "-O", "exit", "x"])
            }
        }
        let commands = servers.indices.map { index in
            arguments(servers[index], master ? ["-S", socket(index)] : []) + ["cat", "/proc/uptime"]
        }
        let state = Mutex<(next: Int, latencies: [Double])>((0, []))
        let cpuBefore = Self.cpuSeconds() + masterPIDs.map(Self.processCPUSeconds).reduce(0, +)
        let start = Date()
        let total = forkChecks
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index = state.withLock { state in
                    defer { state.next += 1 }
                    return state.next
                }
                guard index < total else { return }
                let begin = Date()
                let status = (try? Self.spawnAndWait("/usr/bin/ssh", commands[index % commands.count])) ?? -1
                let elapsed = Date().timeIntervalSince(begin)
                state.withLock { $0.latencies.append(status == 0 ? elapsed : .infinity) }
            }
        }
        let latencies = state.withLock { $0.latencies }
        let wall = Date().timeIntervalSince(start)
        let cpu = Self.cpuSeconds() + masterPIDs.map(Self.processCPUSeconds).reduce(0, +) - cpuBefore
        return Row(
            method: master ? "ssh, ControlMaster" : "ssh, fork per check", checks: forkChecks, wall: wall,
            latencies: latencies, cpu: cpu)
    }

    static func progress(_ text: String) {
        FileHandle.standardError.write(Data("… \(text)\n".utf8))
    }

    enum BenchError: Error {
        case checkFailed(String)
        case spawn(Int32)
    }

    /// posix_spawn + waitpid (its CPU lands in RUSAGE_CHILDREN); stdout/stderr to /dev/null.
    static func spawnAndWait(_ executable: String, _ arguments: [String]) throws -> Int32 {
        try SpawnedProcess(executable, arguments).waitForExit()
    }

    static func cpuSeconds() -> Double {
        var own = rusage()
        var children = rusage()
        getrusage(RUSAGE_SELF.rawValue, &own)
        getrusage(RUSAGE_CHILDREN.rawValue, &children)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(own.ru_utime) + seconds(own.ru_stime) + seconds(children.ru_utime) + seconds(children.ru_stime)
    }

    static func processCPUSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func residentMiB() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    static func table(_ rows: [Row], rss: Double) -> String {
        let base = rows[0].cpuPerCheck
        var lines = [
            "method                          checks  checks/s   p50 ms   p99 ms  CPU ms/check  CPU vs libssh2"
        ]
        for row in rows {
            let ratio = row.cpuPerCheck / max(base, 1e-9)
            lines.append(
                row.method.padding(toLength: 30, withPad: " ", startingAt: 0)
                    + String(
                        format: "%8d %9.1f %8.1f %8.1f %13.3f %14.1fx", row.checks, Double(row.checks) / row.wall,
                        row.percentile(0.5), row.percentile(0.99), row.cpuPerCheck, ratio))
        }
        lines.append(String(format: "controller RSS after the run: %.1f MiB", rss))
        return lines.joined(separator: "\n")
    }
}
