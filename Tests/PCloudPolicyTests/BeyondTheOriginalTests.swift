import PCloudModel
import Testing

@testable import PCloudPolicy

/// What Pacemaker users expect beyond the original: on-fail, failure expiry, backoff, hard errors,
/// a deployable that exceeds its own limit, stale results.
@Suite struct BeyondTheOriginalTests {
    func running(_ deployable: Deployable) -> Scenario {
        var scenario = Scenario(deployable)
        scenario.bringUp()
        scenario.complete("bar/angus", .probe, .notRunning)
        scenario.complete("bar/angus", .start, .ok)
        return scenario
    }

    @Test func onFailIgnoreNotesTheFailureAndKeepsMonitoring() {
        var scenario = running(originalTestDeployable(onFail: .ignore))
        let actions = scenario.complete("bar/angus", .monitor, .notRunning)
        #expect(allSteps(actions) == ["failure-ignored bar/angus"])
        #expect(scenario.state("bar/angus") == .running)
        #expect(scenario.runtime.resources[ResourceID("bar/angus")!]!.failures.total == 1)
    }

    @Test func onFailBlockLeavesTheResourceAloneUntilCleanup() {
        var scenario = running(originalTestDeployable(onFail: .block))
        #expect(
            allSteps(scenario.complete("bar/angus", .monitor, .notRunning)) == [
                "cancel-monitor bar/angus", "block bar/angus", "report degraded",
            ])
        #expect(scenario.send(.tick).isEmpty)
        #expect(steps(scenario.send(.cleanup(ResourceID("bar/angus")!))) == ["probe bar/angus"])
    }

    @Test func onFailStopStopsTheResourceAndLeavesItStopped() {
        var scenario = running(originalTestDeployable(onFail: .stop))
        #expect(steps(scenario.complete("bar/angus", .monitor, .notRunning)) == ["cancel-monitor bar/angus", "stop bar/angus"])
        #expect(steps(scenario.complete("bar/angus", .stop, .ok)).isEmpty)
        #expect(scenario.runtime.state == .degraded)
    }

    @Test func onFailEscalateRestartsTheAssemblyAtTheFirstFailure() {
        var scenario = running(originalTestDeployable(onFail: .escalate))
        #expect(
            steps(scenario.complete("bar/angus", .monitor, .notRunning)) == ["cancel-monitor bar/angus", "fence-assembly bar"])
    }

    @Test func aHardErrorMakesTheResourceUnrecoverable() {
        var scenario = Scenario(originalTestDeployable())
        scenario.bringUp()
        scenario.complete("bar/angus", .probe, .notRunning)
        let actions = scenario.complete("bar/angus", .start, .notInstalled)
        #expect(allSteps(actions) == ["unrecoverable bar/angus", "report degraded"])
        #expect(actions.first?.reason.hasPrefix("start of bar/angus failed: not installed") == true)
        #expect(scenario.send(.tick).isEmpty)
    }

    @Test func expiredFailuresStopCountingTowardsEscalation() {
        var deployable = originalTestDeployable(resourceEscalation: EscalationLimit(failures: 2, period: .seconds(600)))
        deployable.assemblies[0].resources[0].failureExpiry = .seconds(60)
        var scenario = running(deployable)
        scenario.complete("bar/angus", .monitor, .notRunning)
        scenario.complete("bar/angus", .stop, .ok)
        scenario.complete("bar/angus", .start, .ok)
        scenario.advance(61)  // the first failure has expired: the second is the first that counts
        #expect(steps(scenario.complete("bar/angus", .monitor, .notRunning)) == ["cancel-monitor bar/angus", "stop bar/angus"])
        scenario.complete("bar/angus", .stop, .ok)
        scenario.complete("bar/angus", .start, .ok)
        scenario.advance(10)
        #expect(steps(scenario.complete("bar/angus", .monitor, .notRunning)).contains("fence-assembly bar"))
    }

    @Test func restartsBackOffFromBaseDoublingUpToTheCap() {
        var deployable = originalTestDeployable()
        deployable.assemblies[0].resources[0].backoff = RestartBackoff(base: .seconds(2), cap: .seconds(5))
        var scenario = running(deployable)
        var delays: [Double] = []
        for _ in 0..<3 {
            scenario.complete("bar/angus", .monitor, .notRunning)
            #expect(steps(scenario.complete("bar/angus", .stop, .ok)).isEmpty)  // held back
            let notBefore = scenario.runtime.resources[ResourceID("bar/angus")!]!.notBefore!
            delays.append(notBefore - scenario.now)
            #expect(scenario.policy.nextWake(scenario.runtime) == notBefore)
            scenario.now = notBefore
            #expect(steps(scenario.send(.tick)) == ["start bar/angus"])
            scenario.complete("bar/angus", .start, .ok)
        }
        #expect(delays == [2, 4, 5])
    }

    @Test func aDeployableOverItsLimitIsStoppedAndReportedFailedNotRestartedForever() {
        var deployable = originalTestDeployable()
        deployable.assemblies[0].escalation = EscalationLimit(failures: 1, period: .seconds(60))
        deployable.escalation = EscalationLimit(failures: 2, period: .seconds(300))
        var scenario = running(deployable)
        let first = scenario.send(.assemblyLost("bar", reason: "guest crashed"))
        #expect(allSteps(first).contains("restart-deployable"))
        scenario.send(.assemblyFenced("bar"))
        scenario.send(.assemblyStarted("bar", address: nil, hostname: nil))
        scenario.send(.assemblyReachable("bar"))
        scenario.complete("bar/angus", .probe, .ok)
        scenario.advance(30)
        let second = scenario.send(.assemblyLost("bar", reason: "guest crashed"))
        #expect(allSteps(second).contains("deployable-failed"))
        #expect(allSteps(second).last == "report failed")
        #expect(steps(scenario.send(.assemblyFenced("bar"))) == ["stop-monitoring"])
        #expect(scenario.runtime.state == .failed)
        #expect(scenario.send(.assemblyLost("bar", reason: "again")).isEmpty)
    }

    @Test func resultsFromAFencedIncarnationAreIgnored() {
        var scenario = running(originalTestDeployable())
        let old = scenario.incarnation("bar")
        scenario.send(.assemblyLost("bar", reason: "guest crashed"))
        scenario.send(.assemblyFenced("bar"))
        scenario.send(.assemblyStarted("bar", address: nil, hostname: nil))
        scenario.send(.assemblyReachable("bar"))
        let stale = scenario.send(
            .operationCompleted(ResourceID("bar/angus")!, .monitor, .notRunning, incarnation: old, detail: nil))
        #expect(stale.isEmpty)
        #expect(scenario.state("bar/angus") == .unknown)
    }

    @Test func anAssemblyThatCannotBeStartedIsFencedAndRetried() {
        var scenario = Scenario(originalTestDeployable())
        scenario.send(.start)
        let failed = scenario.send(.assemblyStartFailed("bar", reason: "no such image debian12"))
        #expect(steps(failed) == ["fence-assembly bar"])
        #expect(failed.first?.reason == "assembly bar could not be started: no such image debian12: restarting it")
    }

    @Test func aGuestThatKeepsFailingToStartIsRetriedWithGrowingDelays() {
        var deployable = originalTestDeployable()
        deployable.assemblies[0].escalation = nil
        var scenario = Scenario(deployable)
        scenario.send(.start)
        scenario.send(.assemblyStartFailed("bar", reason: "virtlogd is not running"))
        #expect(steps(scenario.send(.assemblyFenced("bar"))) == ["start-assembly bar"])  // the first: at once
        var delays: [Double] = []
        for _ in 0..<3 {
            let failed = scenario.send(.assemblyStartFailed("bar", reason: "virtlogd is not running"))
            #expect(failed.first?.reason.contains("restarting it in") == true)
            #expect(steps(scenario.send(.assemblyFenced("bar"))).isEmpty)  // held back
            let wake = scenario.policy.nextWake(scenario.runtime)!
            delays.append(wake - scenario.now)
            scenario.now = wake
            #expect(steps(scenario.send(.tick)) == ["start-assembly bar"])
        }
        #expect(delays == [1, 2, 4])
    }
}
