import PCloudModel
import Testing

@testable import PCloudPolicy

/// A controller restart: reconcile with what the infrastructure reports before acting.
@Suite struct ResumptionTests {
    func runningScenario() -> Scenario {
        var scenario = Scenario(originalTestDeployable())
        scenario.bringUp()
        scenario.complete("bar/angus", .probe, .notRunning)
        scenario.complete("bar/angus", .start, .ok)
        scenario.complete("bar/angus", .monitor, .notRunning)  // one failure in its history
        scenario.complete("bar/angus", .stop, .ok)
        scenario.complete("bar/angus", .start, .ok)
        return scenario
    }

    @Test func aHealthyGuestIsAdoptedAndItsResourcesProbedNotRestarted() {
        let before = runningScenario()
        var scenario = before
        scenario.runtime = Resumption.resume(before.runtime, guests: ["bar": .running])
        #expect(scenario.runtime.assemblies["bar"]?.state == .starting)
        #expect(scenario.runtime.resources[ResourceID("bar/angus")!]?.failures.total == 1)
        #expect(steps(scenario.send(.tick)).isEmpty)  // nothing is started or fenced
        #expect(steps(scenario.send(.assemblyReachable("bar"))) == ["probe bar/angus"])
        #expect(steps(scenario.complete("bar/angus", .probe, .ok)) == ["monitor bar/angus every 1s"])
        #expect(!allSteps(scenario.log.suffix(5)).contains { $0.hasPrefix("start") || $0.hasPrefix("fence") })
    }

    @Test func aGuestThatVanishedMeanwhileIsFencedBeforeItIsStartedAgain() {
        var scenario = runningScenario()
        scenario.runtime = Resumption.resume(scenario.runtime, guests: [:])
        #expect(steps(scenario.send(.tick)) == ["fence-assembly bar"])
    }

    @Test func fencingThatWasInFlightIsKeptSoItIsIssuedAgain() {
        var scenario = runningScenario()
        scenario.send(.assemblyLost("bar", reason: "crashed"))
        let resumed = Resumption.resume(scenario.runtime, guests: ["bar": .running])
        #expect(resumed.assemblies["bar"]?.pending == .fence)
        scenario.runtime = resumed
        #expect(steps(scenario.send(.assemblyFenced("bar"))) == ["start-assembly bar"])
    }

    /// After a restart the guests are reached in any order: a resource is not stopped because what it
    /// runs after has not been probed yet.
    @Test func aResumedDependentIsNotStoppedWhileItsFirstIsStillBeingReached() {
        var scenario = Scenario(reconfigDeployable())
        scenario.bringUp(addresses: ["bar": "1.2.3.1", "victim": "1.2.3.2"])
        scenario.complete("bar/angus", .probe, .notRunning)
        scenario.complete("victim/andy", .probe, .notRunning)
        scenario.complete("victim/andy", .start, .ok)
        scenario.complete("bar/angus", .start, .ok)
        scenario.runtime = Resumption.resume(scenario.runtime, guests: ["bar": .running, "victim": .running])
        scenario.send(.assemblyReachable("bar"))
        #expect(steps(scenario.complete("bar/angus", .probe, .ok)) == ["monitor bar/angus every 1s"])
        #expect(steps(scenario.send(.assemblyReachable("victim"))) == ["probe victim/andy"])
        #expect(steps(scenario.complete("victim/andy", .probe, .ok)) == ["monitor victim/andy every 1s"])
        #expect(scenario.runtime.state == .running)
    }

    /// A start still running in the guest when the controller died must not be started again over
    /// itself: it is waited out until its timeout, then probed.
    func restartedTwoSecondsIntoAStart() -> Scenario {
        var scenario = Scenario(originalTestDeployable())  // start-timeout: the default 20 s
        scenario.bringUp()
        #expect(steps(scenario.complete("bar/angus", .probe, .notRunning)) == ["start bar/angus"])
        scenario.advance(2)
        scenario.runtime = Resumption.resume(scenario.runtime, guests: ["bar": .running])
        return scenario
    }

    @Test func aStartInFlightAtTheRestartIsWaitedOutThenProbedAndNeverStartedTwice() {
        var scenario = restartedTwoSecondsIntoAStart()
        let reached = scenario.send(.assemblyReachable("bar"))
        #expect(allSteps(reached) == ["await-interrupted bar/angus"])
        #expect(reached.first?.reason.contains("until it has timed out (in 18s)") == true, "\(reached)")
        #expect(scenario.policy.nextWake(scenario.runtime) == 1_020)
        #expect(allSteps(scenario.send(.tick)).isEmpty)  // said once
        scenario.advance(17.9)
        #expect(allSteps(scenario.send(.tick)).isEmpty)
        scenario.advance(0.2)
        #expect(steps(scenario.send(.tick)) == ["probe bar/angus"])
        #expect(steps(scenario.complete("bar/angus", .probe, .ok)) == ["monitor bar/angus every 1s"])
        #expect(allSteps(scenario.log).filter { $0 == "start bar/angus" }.count == 1)  // the one before the restart
        #expect(scenario.runtime.state == .running)
    }

    @Test func anInterruptedStartThatNeverFinishedIsStartedOnceItsTimeoutHasPassed() {
        var scenario = restartedTwoSecondsIntoAStart()
        scenario.send(.assemblyReachable("bar"))
        scenario.advance(19)
        #expect(steps(scenario.send(.tick)) == ["probe bar/angus"])
        #expect(steps(scenario.complete("bar/angus", .probe, .notRunning)) == ["start bar/angus"])
    }

    @Test func aStopDuringTheWaitWaitsTooThenFindsAndStopsWhatTheInterruptedStartLeftRunning() {
        var scenario = restartedTwoSecondsIntoAStart()
        scenario.send(.assemblyReachable("bar"))
        #expect(steps(scenario.send(.stop)).isEmpty)  // not stopped, not shut down: still waiting
        scenario.advance(18.5)
        #expect(steps(scenario.send(.tick)) == ["probe bar/angus"])
        let found = steps(scenario.complete("bar/angus", .probe, .ok))
        #expect(found.contains("stop bar/angus"), "\(found)")
        #expect(steps(scenario.complete("bar/angus", .stop, .ok)) == ["stop-assembly bar"])
    }

    @Test func aRuntimeSavedBeforeDeadlinesExistedResumesAsBefore() {
        var scenario = restartedTwoSecondsIntoAStart()
        scenario.runtime = runningScenario().runtime
        for id in scenario.runtime.resources.keys {
            scenario.runtime.resources[id]?.pending = .start
            scenario.runtime.resources[id]?.pendingDeadline = nil
        }
        scenario.runtime = Resumption.resume(scenario.runtime, guests: ["bar": .running])
        #expect(steps(scenario.send(.assemblyReachable("bar"))) == ["probe bar/angus"])
    }
}
