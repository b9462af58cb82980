import PCloudAMQP
import PCloudModel
import Testing

@testable import PCloudAgentMonitor

/// The liveness bookkeeping on its own, with instants chosen by the test.
@Suite struct AgentLedgerTests {
    let start = ContinuousClock.now
    let guest = GuestName(deployable: "demo", assembly: "web")

    func beat(_ seq: UInt64, boot: String = "A") -> Heartbeat {
        Heartbeat(seq: seq, bootID: boot, uptime: Double(seq), assembly: "web", deployable: "demo")
    }

    @Test func firstHeartbeatMakesTheGuestAlive() {
        var ledger = AgentLedger(defaults: AgentSettings())
        #expect(ledger.heard(beat(1), now: start) == .alive(uptime: .seconds(1), bootID: "A"))
        #expect(ledger.heard(beat(2), now: start + .seconds(1)) == nil)
    }

    @Test func unreachableOnlyAfterTheConfiguredMissedHeartbeats() {
        var ledger = AgentLedger(defaults: AgentSettings(heartbeat: .seconds(1), missedHeartbeats: 3))
        _ = ledger.heard(beat(1), now: start)
        #expect(ledger.judge(now: start + .milliseconds(2900)).isEmpty)
        #expect(ledger.judge(now: start + .seconds(3)).isEmpty)
        let verdicts = ledger.judge(now: start + .milliseconds(3200))
        #expect(verdicts.count == 1)
        #expect(verdicts.first?.0 == guest)
        // Reported once, not on every tick.
        #expect(ledger.judge(now: start + .seconds(10)).isEmpty)
        #expect(ledger.heard(beat(2), now: start + .seconds(11)) == .alive(uptime: .seconds(2), bootID: "A"))
    }

    @Test func perGuestSettingsOverrideTheDefaults() {
        var ledger = AgentLedger(defaults: AgentSettings())
        ledger.watch(guest, settings: AgentSettings(heartbeat: .seconds(5), missedHeartbeats: 2), now: start)
        _ = ledger.heard(beat(1), now: start)
        #expect(ledger.judge(now: start + .seconds(9)).isEmpty)
        #expect(ledger.judge(now: start + .seconds(11)).count == 1)
    }

    @Test func settingsChangedAfterAHeartbeatMoveTheDeadline() {
        var ledger = AgentLedger(defaults: AgentSettings(heartbeat: .seconds(1), missedHeartbeats: 3))
        _ = ledger.heard(beat(1), now: start)
        ledger.watch(guest, settings: AgentSettings(heartbeat: .seconds(5), missedHeartbeats: 2), now: start)
        #expect(ledger.judge(now: start + .seconds(5)).isEmpty)
        #expect(ledger.judge(now: start + .milliseconds(10_200)).count == 1)
    }

    @Test func amongManyGuestsOnlyTheSilentOnesAreJudged() {
        var ledger = AgentLedger(defaults: AgentSettings(heartbeat: .seconds(1), missedHeartbeats: 3))
        let guests = (0..<1000).map { GuestName(deployable: "demo", assembly: "a\($0)") }
        func beat(_ guest: GuestName, _ seq: UInt64) -> Heartbeat {
            Heartbeat(seq: seq, bootID: "A", uptime: 1, assembly: guest.assembly, deployable: "demo")
        }
        for guest in guests { _ = ledger.heard(beat(guest, 1), now: start) }
        for second in [2, 3] {
            for guest in guests where guest.assembly != "a7" {
                _ = ledger.heard(beat(guest, UInt64(second)), now: start + .seconds(second))
            }
        }
        #expect(ledger.judge(now: start + .milliseconds(3200)).map(\.0) == [GuestName(deployable: "demo", assembly: "a7")])
        #expect(ledger.judge(now: start + .seconds(6)).isEmpty)
        // The other 999 fall silent together: the path is suspect, their verdicts wait for the
        // hold, which runs out with no agent heard: the silence is real.
        #expect(ledger.judge(now: start + .milliseconds(6200)).isEmpty)
        #expect(ledger.pathHoldReason(now: start + .milliseconds(6200)) != nil)
        #expect(ledger.judge(now: start + .milliseconds(6210) + AgentLedger.pathHold).count == 999)
        #expect(ledger.pathHoldReason(now: start + .milliseconds(6200) + AgentLedger.pathHold) == nil)
        #expect(ledger.judge(now: start + .seconds(60)).isEmpty)
    }

    func beat(_ assembly: String, _ seq: UInt64, boot: String = "A") -> Heartbeat {
        Heartbeat(seq: seq, bootID: boot, uptime: Double(seq), assembly: assembly, deployable: "demo")
    }

    func name(_ assembly: String) -> GuestName { GuestName(deployable: "demo", assembly: assembly) }

    /// Two agents silent over the same window (a broker stalled with its connection open): no
    /// verdict; one heartbeat proves the path, and a guest still silent after a fresh window from
    /// then is judged, the other, heard, is not.
    @Test func agentsSilentTogetherWaitForThePathAndOneHeartbeatResumesJudging() {
        var ledger = AgentLedger(defaults: AgentSettings(heartbeat: .seconds(1), missedHeartbeats: 2))
        _ = ledger.heard(beat("db", 1), now: start)
        _ = ledger.heard(beat("web", 1), now: start + .milliseconds(300))
        #expect(ledger.judge(now: start + .seconds(3)).isEmpty)
        let held = start + .seconds(3)
        #expect(ledger.liveness(of: name("db"), now: held) == .alive(uptime: .seconds(1), bootID: "A"))
        let reason = ledger.pathHoldReason(now: held) ?? ""
        #expect(reason.contains("no agent heard for") && reason.contains("path"), "\(reason)")
        // Still the same words a tick later: engines are told once.
        #expect(ledger.pathHoldReason(now: held + .milliseconds(10)) == reason)
        let back = start + .seconds(5)
        _ = ledger.heard(beat("web", 2), now: back)
        #expect(ledger.pathHoldReason(now: back) == nil)
        _ = ledger.heard(beat("web", 3), now: back + .seconds(1))
        _ = ledger.heard(beat("web", 4), now: back + .seconds(2))
        #expect(ledger.judge(now: back + .seconds(2)).isEmpty)
        #expect(ledger.judge(now: back + .milliseconds(2200)).map(\.0) == [name("db")])
        #expect(ledger.liveness(of: name("web"), now: back + .milliseconds(2500)) == .alive(uptime: .seconds(4), bootID: "A"))
    }

    /// A guest silent while another agent is heard is judged on time: one witness heard is enough.
    @Test func oneSilentAgentAmongHeardOnesIsJudgedWithoutWaiting() {
        var ledger = AgentLedger(defaults: AgentSettings(heartbeat: .seconds(1), missedHeartbeats: 2))
        _ = ledger.heard(beat("db", 1), now: start)
        _ = ledger.heard(beat("web", 1), now: start)
        _ = ledger.heard(beat("web", 2), now: start + .seconds(1))
        _ = ledger.heard(beat("web", 3), now: start + .seconds(2))
        #expect(ledger.judge(now: start + .milliseconds(2200)).map(\.0) == [name("db")])
        #expect(ledger.pathHoldReason(now: start + .milliseconds(2200)) == nil)
    }

    /// No witness, no hold: the only agent, or others that beat too seldom to have been heard in
    /// the silent guest's window, prove nothing about the path.
    @Test func withoutAWitnessThatShouldHaveBeenHeardNothingIsHeld() {
        var ledger = AgentLedger(defaults: AgentSettings(heartbeat: .seconds(1), missedHeartbeats: 2))
        ledger.watch(name("slow"), settings: AgentSettings(heartbeat: .seconds(30), missedHeartbeats: 3), now: start)
        _ = ledger.heard(beat("slow", 1), now: start)
        _ = ledger.heard(beat("db", 1), now: start + .milliseconds(100))
        #expect(ledger.judge(now: start + .milliseconds(2300)).map(\.0) == [name("db")])
    }

    /// After the broker connection comes back, the grace periods restart and no hold lingers.
    @Test func aBrokerReconnectEndsAHold() {
        var ledger = AgentLedger(defaults: AgentSettings(heartbeat: .seconds(1), missedHeartbeats: 2))
        _ = ledger.heard(beat("db", 1), now: start)
        _ = ledger.heard(beat("web", 1), now: start)
        #expect(ledger.judge(now: start + .seconds(3)).isEmpty)
        ledger.restartGracePeriods(now: start + .seconds(4))
        #expect(ledger.pathHoldReason(now: start + .seconds(4)) == nil)
        #expect(ledger.judge(now: start + .seconds(11)).isEmpty)
    }

    @Test func aNewBootIDIsReportedAsAReboot() {
        var ledger = AgentLedger(defaults: AgentSettings())
        _ = ledger.heard(beat(1, boot: "A"), now: start)
        #expect(ledger.heard(beat(1, boot: "B"), now: start + .milliseconds(500)) == .alive(uptime: .seconds(1), bootID: "B"))
    }

    @Test func aBrokerOutageRestartsEveryGracePeriod() {
        var ledger = AgentLedger(defaults: AgentSettings())
        _ = ledger.heard(beat(1), now: start)
        ledger.restartGracePeriods(now: start + .seconds(10))
        #expect(ledger.judge(now: start + .seconds(12)).isEmpty)
        #expect(ledger.judge(now: start + .seconds(20)).count == 1)
    }

    @Test func forgottenGuestsAreNotJudged() {
        var ledger = AgentLedger(defaults: AgentSettings())
        _ = ledger.heard(beat(1), now: start)
        ledger.forget(guest)
        #expect(ledger.judge(now: start + .seconds(60)).isEmpty)
        #expect(ledger.liveness(of: guest, now: start) == nil)
    }
}
