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
}
