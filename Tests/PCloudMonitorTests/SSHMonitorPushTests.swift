import Foundation
import PCloudModel
import PCloudMonitor
import PCloudSSH
import PCloudTestSupport
import Synchronization
import Testing

/// The ssh monitor notices a broken connection between checks: it checks the guest again at once
/// and pushes "unreachable" only when the guest really does not answer.
@Suite(.enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"))
struct SSHMonitorPushTests {
    private let guestName = GuestName(deployable: "test", assembly: "guest")

    private func endpoint(_ sshd: SSHDaemon) -> GuestEndpoint {
        GuestEndpoint(name: guestName, host: sshd.host, port: sshd.port, user: NSUserName(), hostKey: sshd.hostKey)
    }

    /// Collects every observation until the monitor goes away (its stream then ends).
    private func collect(_ monitor: SSHMonitor) -> Task<[Observation], Never> {
        let stream = monitor.observations()
        return Task { await stream.reduce(into: []) { $0.append($1) } }
    }

    @Test func idleGuestWhoseSshdDiesIsPushedAsUnreachableWithoutACheck() async throws {
        let sshd = try SSHDaemon()
        try sshd.start()
        defer { sshd.stop() }
        let monitor = SSHMonitor(identity: SSHIdentity(privateKeyPath: sshd.clientKeyPath))
        let stream = monitor.observations()
        guard case .alive = await monitor.liveness(of: endpoint(sshd), timeout: .seconds(10)) else {
            Issue.record("the guest was not alive before its sshd was killed")
            return
        }
        // The listener first, and gone (its socket closed), so the reconnect that follows the
        // hang-up is refused: a listener still dying can accept it and close it without a banner.
        let pid = try #require(sshd.process?.pid)
        let sessions = descendants(of: pid)
        kill(pid, SIGKILL)
        _ = sshd.process?.waitForExit()
        for session in sessions { kill(session, SIGKILL) }
        let first = await firstElement(of: stream, within: .seconds(30))
        guard case .liveness(let name, .unreachable(let reason)) = first else {
            Issue.record("expected a pushed unreachable, got \(String(describing: first))")
            return
        }
        #expect(name == guestName)
        #expect(reason.contains("connection lost"))
        #expect(reason.contains("refused"))
    }

    /// One monitor serves every ssh deployable, each engine with its own stream: when one engine
    /// stops (its reader is cancelled), the others still get their pushes.
    @Test func aStoppedReaderDoesNotEndPushesForTheOthers() async throws {
        let sshd = try SSHDaemon()
        try sshd.start()
        defer { sshd.stop() }
        let monitor = SSHMonitor(identity: SSHIdentity(privateKeyPath: sshd.clientKeyPath))
        let first = monitor.observations()
        let second = monitor.observations()
        let firstReader = Task { await first.reduce(into: 0) { count, _ in count += 1 } }
        guard case .alive = await monitor.liveness(of: endpoint(sshd), timeout: .seconds(10)) else {
            Issue.record("the guest was not alive before its sshd was killed")
            return
        }
        firstReader.cancel()
        _ = await firstReader.value
        let pid = try #require(sshd.process?.pid)
        let sessions = descendants(of: pid)
        kill(pid, SIGKILL)
        _ = sshd.process?.waitForExit()
        for session in sessions { kill(session, SIGKILL) }
        let pushed = await firstElement(of: second, within: .seconds(30))
        guard case .liveness(let name, .unreachable) = pushed else {
            Issue.record("the second reader got no push after the first stopped: \(String(describing: pushed))")
            return
        }
        #expect(name == guestName)
    }

    @Test func droppedConnectionToAGuestThatStillAnswersIsNotReported() async throws {
        let sshd = try SSHDaemon()
        try sshd.start()
        defer { sshd.stop() }
        var monitor: SSHMonitor? = SSHMonitor(identity: SSHIdentity(privateKeyPath: sshd.clientKeyPath))
        let observed = collect(monitor!)
        guard case .alive = await monitor!.liveness(of: endpoint(sshd), timeout: .seconds(10)) else {
            Issue.record("the guest was not alive before its connection was dropped")
            return
        }
        // Only the per-connection process dies (as when a guest's sshd is restarted): the
        // monitor's own re-check reconnects, and finds the guest alive.
        let pid = try #require(sshd.process?.pid)
        let before = Set(descendants(of: pid))
        try #require(!before.isEmpty)
        for session in before { kill(session, SIGKILL) }
        var reconnected = false
        for _ in 0..<300 where !reconnected {
            try await Task.sleep(for: .milliseconds(100))
            reconnected = !Set(descendants(of: pid)).subtracting(before).isEmpty
        }
        #expect(reconnected, "the monitor did not reconnect by itself after the connection dropped")
        // The re-check holds the monitor until it has decided; the stream ends after that.
        monitor = nil
        let observations = await observed.value
        #expect(observations.isEmpty, "nothing should be pushed for a guest that answers: \(observations)")
    }

    @Test func forgottenGuestIsNotReportedWhenItsSshdStops() async throws {
        let sshd = try SSHDaemon()
        try sshd.start()
        var monitor: SSHMonitor? = SSHMonitor(identity: SSHIdentity(privateKeyPath: sshd.clientKeyPath))
        let observed = collect(monitor!)
        guard case .alive = await monitor!.liveness(of: endpoint(sshd), timeout: .seconds(10)) else {
            Issue.record("the guest was not alive before it was stopped")
            sshd.stop()
            return
        }
        // A deliberate stop: the engine forgets the guest, then the guest goes away.
        await monitor!.forget(guestName)
        sshd.stop()
        monitor = nil
        let observations = await observed.value
        #expect(observations.isEmpty, "a forgotten guest must not be reported: \(observations)")
    }
}
