import Foundation
import PCloudModel
import PCloudMonitor
import PCloudSSH
import PCloudTestSupport

/// Every guest watched as the engine watches it (Engine.watch: `monitor.liveness`, then sleep the
/// interval, one task per guest, all sessions on one SSHEventLoop thread) through the real
/// SSHMonitor. Measures the controller's cores and CPU per probe in a steady window, then kills the
/// victim sshd at random moments and times how long the monitor takes to say "unreachable".
struct SSHWatchLoad {
    var fleet: SSHGuestFleet
    var interval: Duration
    var timeout: Duration
    var duration: Duration

    struct Result {
        var guests: Int
        var connected: Int
        var connectSeconds: Double
        var wallSeconds: Double
        var cpuSeconds: Double
        var probes: Int
        var unexpectedFailures: Int
        var firstUnexpected: String?
        var checkSeconds: [Double]
        var rssKiB: Int
        var peakKiB: Int
        var detections: [Double]
        var injectedGuests: Int
        var detectionReasons: [String: Int]
        /// The guests' side, at the end of the steady window: sshd processes and their summed
        /// proportional set size (shared pages divided among the processes sharing them).
        var sshdProcesses: Int
        var sshdPSSKiB: Int

        var cores: Double { cpuSeconds / wallSeconds }
        var cpuPerProbe: Double { probes > 0 ? cpuSeconds / Double(probes) : .infinity }
    }

    func run() async throws -> Result {
        let monitor = SSHMonitor(identity: SSHIdentity(privateKeyPath: fleet.identityPath))
        let record = GuestWatchRecord()
        progress(
            "connecting \(fleet.guests.count) sessions (\(fleet.servers.count) sshd in \(fleet.namespaces.count) namespaces)")
        let connectStart = ContinuousClock.now
        let connected = await connectAll(monitor)
        let connectSeconds = GuestWatchRecord.seconds(ContinuousClock.now - connectStart)
        progress(
            "\(connected) of \(fleet.guests.count) connected in \(Format.fixed(connectSeconds, 1)) s; watching every \(interval)")
        let watchers = Task { await watchAll(monitor, record) }
        defer { watchers.cancel() }
        let pushes = Task { await recordPushes(monitor, record) }
        defer { pushes.cancel() }
        // One full interval (every guest checked once) before the steady window.
        try await Task.sleep(for: interval + .seconds(1))
        record.state.withLock { $0.measuring = true }
        let probesBefore = record.state.withLock { $0.probes }
        let cpuBefore = Self.ownCPUSeconds()
        let wallStart = ContinuousClock.now
        try await Task.sleep(for: duration)
        let cpu = Self.ownCPUSeconds() - cpuBefore
        let wall = GuestWatchRecord.seconds(ContinuousClock.now - wallStart)
        let steady = record.state.withLock { state in
            state.measuring = false
            return state
        }
        let rss = Self.status("VmRSS")
        let peak = Self.status("VmHWM")
        let sshd = fleet.servers.compactMap(\.process).flatMap { [$0.pid] + descendants(of: $0.pid) }
        let sshdPSS = sshd.map { Self.status("Pss", of: "/proc/\($0)/smaps_rollup") }.reduce(0, +)
        progress(
            "steady: \(steady.probes - probesBefore) probes in \(Format.fixed(wall, 1)) s, \(Format.fixed(cpu / wall, 3)) cores;"
                + " killing \(fleet.victims.count) sshd at random moments")
        let injectedGuests = try await injectFailures(record)
        watchers.cancel()
        await watchers.value
        let final = record.state.withLock { $0 }
        await withTaskGroup(of: Void.self) { group in
            for guest in fleet.guests { group.addTask { await monitor.forget(guest.endpoint.name) } }
        }
        return Result(
            guests: fleet.guests.count, connected: connected, connectSeconds: connectSeconds, wallSeconds: wall,
            cpuSeconds: cpu, probes: steady.probes - probesBefore, unexpectedFailures: steady.unexpectedFailures,
            firstUnexpected: steady.firstUnexpected, checkSeconds: steady.checkSeconds, rssKiB: rss, peakKiB: peak,
            detections: Array(final.detections.values), injectedGuests: injectedGuests,
            detectionReasons: final.detectionReasons, sshdProcesses: sshd.count, sshdPSSKiB: sshdPSS)
    }

    /// Connects every session, 50 at a time (connecting is not a check).
    private func connectAll(_ monitor: SSHMonitor) async -> Int {
        var connected = 0
        for batch in stride(from: 0, to: fleet.guests.count, by: 50) {
            let guests = fleet.guests[batch..<min(batch + 50, fleet.guests.count)]
            connected += await withTaskGroup(of: Bool.self) { group in
                for guest in guests {
                    group.addTask { (try? await monitor.presentedHostKey(of: guest.endpoint, timeout: .seconds(30))) != nil }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
        }
        return connected
    }

    /// One task per guest, each starting at a random phase of the interval, as independent
    /// engine watch loops would; a guest's loop ends once its injected failure was detected.
    private func watchAll(_ monitor: SSHMonitor, _ record: GuestWatchRecord) async {
        await withTaskGroup(of: Void.self) { group in
            for (index, guest) in fleet.guests.enumerated() {
                group.addTask { [interval, timeout] in
                    let phase = Double.random(in: 0..<1) * GuestWatchRecord.seconds(interval)
                    try? await Task.sleep(for: .seconds(phase))
                    while !Task.isCancelled {
                        let began = ContinuousClock.now
                        let result = await monitor.liveness(of: guest.endpoint, timeout: timeout)
                        if Task.isCancelled { return }
                        if record.record(guest: index, server: guest.server, result, began: began, ended: .now) { return }
                        try? await Task.sleep(for: interval)
                    }
                }
            }
        }
    }

    /// What the monitor pushes by itself, as the engine takes it: a guest whose connection broke
    /// and could not be made again, reported unreachable between its scheduled checks.
    private func recordPushes(_ monitor: SSHMonitor, _ record: GuestWatchRecord) async {
        let guests = Dictionary(
            fleet.guests.enumerated().map { ($1.endpoint.name, (index: $0, server: $1.server)) },
            uniquingKeysWith: { first, _ in first })
        for await observation in monitor.observations() {
            guard case .liveness(let name, let liveness) = observation, let guest = guests[name] else { continue }
            _ = record.record(guest: guest.index, server: guest.server, liveness, began: .now, ended: .now, pushed: true)
        }
    }

    /// Kills each victim sshd at a random moment of an interval, one after another, then waits
    /// until every one of their guests was reported unreachable (or three intervals plus the timeout).
    private func injectFailures(_ record: GuestWatchRecord) async throws -> Int {
        let seconds = GuestWatchRecord.seconds(interval)
        for victim in fleet.victims.shuffled() {
            try await Task.sleep(for: .seconds(Double.random(in: 0..<1) * seconds))
            await fleet.kill(victim: victim) { injected in record.state.withLock { $0.injected[victim] = injected } }
        }
        let victimGuests = fleet.guests.filter { fleet.victims.contains($0.server) }.count
        let deadline = ContinuousClock.now + interval * 3 + timeout
        while ContinuousClock.now < deadline, record.state.withLock({ $0.detections.count }) < victimGuests {
            try await Task.sleep(for: .milliseconds(100))
        }
        return victimGuests
    }

    /// This process's own CPU (user + system), seconds: the controller, not the guests' sshd.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func status(_ field: String, of path: String = "/proc/self/status") -> Int {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}

func progress(_ text: String) {
    FileHandle.standardError.write(Data("… \(text)\n".utf8))
}
