import PCloudModel
import Testing

@testable import PCloudPolicy

/// The original's `make check` scenarios (spec section 8), each as a named test.
@Suite struct OriginalSuiteTests {
    /// recover.test: N=3, P=1 s. Two quick failures restart, the third escalates; after the reset,
    /// failures at 0.3/0.9/1.5 s restart (the last three span 1.2 s), one at 1.8 s escalates.
    @Test func recoverEscalatesAtTheThirdFailureWithinTheWindow() {
        var history = FailureHistory()
        let limit = EscalationLimit(failures: 3, period: .seconds(1))
        #expect(history.record(at: 0.0, limit: limit) == .restart)
        #expect(history.record(at: 0.1, limit: limit) == .restart)
        #expect(history.record(at: 0.2, limit: limit) == .escalate(failures: 3, within: .milliseconds(200)))
        #expect(history.record(at: 0.3, limit: limit) == .restart)
        #expect(history.record(at: 0.9, limit: limit) == .restart)
        #expect(history.record(at: 1.5, limit: limit) == .restart)
        #expect(history.record(at: 1.8, limit: limit) == .escalate(failures: 3, within: .milliseconds(900)))
        #expect(history.record(at: 1.9, limit: limit) == .restart)
    }

    /// basic.test restart_resource: probe (not running), start, monitors, a failed monitor, then
    /// stop and start in place, then monitors again.
    @Test func aFailedMonitorRestartsTheResourceInPlace() {
        var scenario = Scenario(originalTestDeployable())
        scenario.bringUp()
        #expect(steps(scenario.log) == ["start-assembly bar", "probe bar/angus"])
        #expect(steps(scenario.complete("bar/angus", .probe, .notRunning)) == ["start bar/angus"])
        #expect(steps(scenario.complete("bar/angus", .start, .ok)) == ["monitor bar/angus every 1s"])
        for _ in 0..<4 { #expect(scenario.complete("bar/angus", .monitor, .ok).isEmpty) }
        let failed = scenario.complete("bar/angus", .monitor, .notRunning)
        #expect(
            allSteps(failed) == ["restart-resource bar/angus", "cancel-monitor bar/angus", "stop bar/angus", "report recovering"])
        #expect(failed.first?.reason == "monitor of bar/angus failed: not running: restarting it (stop, then start)")
        #expect(steps(scenario.complete("bar/angus", .stop, .ok)) == ["start bar/angus"])
        #expect(steps(scenario.complete("bar/angus", .start, .ok)) == ["monitor bar/angus every 1s"])
        #expect(scenario.runtime.state == .running)
    }

    /// basic.test restart_ocf_resource: the same, and every operation carries `assertion=true`.
    @Test func everyOCFOperationCarriesItsParameters() {
        var scenario = Scenario(
            originalTestDeployable(
                resourceClass: .ocf, parameters: [Parameter(name: "assertion", value: .literal("true"))]))
        scenario.bringUp()
        scenario.complete("bar/angus", .probe, .notRunning)
        scenario.complete("bar/angus", .start, .ok)
        scenario.complete("bar/angus", .monitor, .notRunning)
        scenario.complete("bar/angus", .stop, .ok)
        var operations = 0
        for action in scenario.log {
            switch action.step {
            case .probe(_, let arguments), .start(_, let arguments), .stop(_, let arguments), .scheduleMonitor(_, let arguments):
                operations += 1
                #expect(arguments.parameters == ["assertion": "true"])
            default: break
            }
        }
        #expect(operations == 5)  // probe, start, monitor, stop, start
    }

    /// basic.test restart_node: the assembly fails at a monitor; it is fenced and started again, and
    /// its resource is probed and started afresh (no stop: its history went with the guest).
    @Test func aLostAssemblyIsFencedStartedAgainAndItsResourcesProbed() {
        var scenario = Scenario(originalTestDeployable())
        scenario.bringUp()
        scenario.complete("bar/angus", .probe, .notRunning)
        scenario.complete("bar/angus", .start, .ok)
        let lost = scenario.send(.assemblyLost("bar", reason: "uptime timed out after 5s"))
        #expect(
            allSteps(lost) == ["restart-assembly bar", "cancel-monitor bar/angus", "fence-assembly bar", "report recovering"])
        #expect(lost.first?.reason == "assembly bar was lost: uptime timed out after 5s: restarting it")
        #expect(steps(scenario.send(.assemblyFenced("bar"))) == ["start-assembly bar"])
        scenario.send(.assemblyStarted("bar", address: nil, hostname: nil))
        #expect(steps(scenario.send(.assemblyReachable("bar"))) == ["probe bar/angus"])
        #expect(steps(scenario.complete("bar/angus", .probe, .notRunning)) == ["start bar/angus"])
        #expect(!scenario.log.contains { if case .stop = $0.step { true } else { false } })
    }

    /// escalation.test: resource limit 2 in 10 s. The first failure restarts in place; the second
    /// escalates: the assembly is fenced exactly then; after it is back, the next failure is the
    /// first of a fresh history and restarts in place again.
    @Test func theSecondFailureInTheWindowRestartsTheAssemblyAndTheCountStartsAfresh() {
        var scenario = Scenario(originalTestDeployable(resourceEscalation: EscalationLimit(failures: 2, period: .seconds(10))))
        scenario.bringUp()
        scenario.complete("bar/angus", .probe, .notRunning)
        scenario.complete("bar/angus", .start, .ok)
        scenario.advance(2)
        #expect(steps(scenario.complete("bar/angus", .monitor, .notRunning)) == ["cancel-monitor bar/angus", "stop bar/angus"])
        scenario.complete("bar/angus", .stop, .ok)
        scenario.complete("bar/angus", .start, .ok)
        scenario.advance(2)
        let second = scenario.complete("bar/angus", .monitor, .notRunning)
        #expect(steps(second) == ["cancel-monitor bar/angus", "fence-assembly bar"])
        #expect(
            second.first?.reason.contains(
                "resource bar/angus failed 2 times in 2s (limit 2 in 10s): escalating to restart assembly bar") == true)
        scenario.send(.assemblyFenced("bar"))
        scenario.send(.assemblyStarted("bar", address: nil, hostname: nil))
        scenario.send(.assemblyReachable("bar"))
        scenario.complete("bar/angus", .probe, .notRunning)
        scenario.complete("bar/angus", .start, .ok)
        scenario.advance(1)
        #expect(steps(scenario.complete("bar/angus", .monitor, .notRunning)) == ["cancel-monitor bar/angus", "stop bar/angus"])
    }
}
