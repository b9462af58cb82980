import Foundation
import PCloudMonitor
import PCloudSSH
import PCloudTestSupport
import Synchronization

/// The same liveness command three ways against the fleet's sshd: persistent libssh2 sessions on
/// one loop thread, a forked `ssh` per check (as a cron job or shell script would), and `ssh` over
/// a ControlMaster per sshd. CPU is the controller's own plus its children's (the `ssh` processes,
/// and the ControlMaster processes read from /proc).
struct SSHComparison {
    var fleet: SSHGuestFleet
    var sessions: Int
    var rounds: Int
    var forkChecks: Int
    var workers: Int

    struct Row {
        var method: String
        var checks: Int
        var failed: Int
        var wall: Double
        var latencies: [Double]
        var cpu: Double

        var cpuPerCheck: Double { cpu / Double(max(checks, 1)) }
    }

    var bulkServers: [SSHDaemon] {
        fleet.servers.indices.filter { !fleet.victims.contains($0) && fleet.servers[$0].process != nil }.map { fleet.servers[$0] }
    }

    func run() async throws -> [Row] {
        progress("\(sessions) persistent libssh2 sessions x \(rounds) rounds")
        let persistent = try await measurePersistent()
        progress("forking ssh for \(forkChecks) checks")
        let forked = try measureForked(master: false)
        progress("ssh over ControlMaster for \(forkChecks) checks")
        let multiplexed = try measureForked(master: true)
        return [persistent, forked, multiplexed]
    }

    private func measurePersistent() async throws -> Row {
        let servers = bulkServers
        let identity = SSHIdentity(privateKeyPath: fleet.identityPath)
        let sessions = (0..<self.sessions).map { index in
            let server = servers[index % servers.count]
            return SSHSession(
                host: server.host, port: server.port, user: NSUserName(), identity: identity, pinnedHostKey: server.hostKey)
        }
        for session in sessions { _ = try await session.connect() }  // connecting is not a check
        let cpuBefore = Self.cpuSeconds()
        let start = Date()
        var latencies: [Double] = []
        var failed = 0
        for _ in 0..<rounds {
            let results = await withTaskGroup(of: Double?.self) { group in
                for session in sessions {
                    group.addTask {
                        let begin = Date()
                        let result = try? await session.exec(SSHMonitor.livenessCommand, timeout: .seconds(30))
                        return result?.exitStatus == 0 ? Date().timeIntervalSince(begin) : nil
                    }
                }
                return await group.reduce(into: [Double?]()) { $0.append($1) }
            }
            latencies += results.compactMap { $0 }
            failed += results.filter { $0 == nil }.count
        }
        let row = Row(
            method: "libssh2, persistent, 1 thread", checks: self.sessions * rounds, failed: failed,
            wall: Date().timeIntervalSince(start), latencies: latencies, cpu: Self.cpuSeconds() - cpuBefore)
        for session in sessions { await session.close() }
        return row
    }

    private func measureForked(master: Bool) throws -> Row {
        let servers = bulkServers
        let controlDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("pcloud-bench-ssh-\(getpid())")
        try FileManager.default.createDirectory(at: controlDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: controlDirectory) }
        func arguments(_ server: SSHDaemon, _ extra: [String]) -> [String] {
            [
                "-i", fleet.identityPath, "-p", String(server.port), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            ] + extra + ["\(NSUserName())@\(server.host)"]
        }
        func socket(_ index: Int) -> String { controlDirectory.appendingPathComponent("\(index)").path }
        var masterPIDs: [Int32] = []
        if master {
            for (index, server) in servers.enumerated() {
                _ = try SpawnedProcess("/usr/bin/ssh", arguments(server, ["-M", "-S", socket(index), "-fN"])).waitForExit()
                let check = try runCommand("/usr/bin/ssh", ["-S", socket(index), "-O", "check", "x"]).output
                if let pid = check.split(separator: "=").last.flatMap({ Int32($0.filter(\.isNumber)) }) { masterPIDs.append(pid) }
            }
        }
        defer {
            for index in servers.indices where master {
                _ = try? runCommand("/usr/bin/ssh", ["-S", socket(index), "-O", "exit", "x"])
            }
        }
        let commands = servers.indices.map { index in
            arguments(servers[index], master ? ["-S", socket(index)] : []) + [SSHMonitor.livenessCommand]
        }
        let state = Mutex<(next: Int, latencies: [Double], failed: Int)>((0, [], 0))
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
                let status = (try? SpawnedProcess("/usr/bin/ssh", commands[index % commands.count]).waitForExit()) ?? -1
                let elapsed = Date().timeIntervalSince(begin)
                state.withLock { state in
                    if status == 0 { state.latencies.append(elapsed) } else { state.failed += 1 }
                }
            }
        }
        let (latencies, failed) = state.withLock { ($0.latencies, $0.failed) }
        let wall = Date().timeIntervalSince(start)
        let cpu = Self.cpuSeconds() + masterPIDs.map(Self.processCPUSeconds).reduce(0, +) - cpuBefore
        return Row(
            method: master ? "ssh, ControlMaster" : "ssh, fork per check", checks: forkChecks, failed: failed, wall: wall,
            latencies: latencies, cpu: cpu)
    }

    /// Own plus reaped children's CPU, seconds.
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
}
