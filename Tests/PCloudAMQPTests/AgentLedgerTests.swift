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
        for guest in guests where guest.assembly != "a7" { _ = ledger.heard(beat(guest, 2), now: start + .seconds(2)) }
        #expect(ledger.judge(now: start + .milliseconds(3200)).map(\.0) == [GuestName(deployable: "demo", assembly: "a7")])
        #expect(ledger.judge(now: start + .seconds(5)).isEmpty)
        #expect(ledger.judge(now: start + .milliseconds(5200)).count == 999)
        #expect(ledger.judge(now: start + .seconds(60)).isEmpty)
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
