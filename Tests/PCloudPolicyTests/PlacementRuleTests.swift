import PCloudModel
import Testing

@testable import PCloudPolicy

/// Placement rules one at a time: floating resources, per-assembly maxima, bans that expire,
/// stickiness 0, stop-on-fail block.
@Suite struct PlacementRuleTests {
    static func started(_ deployable: Deployable) -> PlacementDriver {
        var driver = PlacementDriver(deployable)
        driver.send(.start)
        driver.settle()
        return driver
    }

    @Test func aFloatingResourceRunsOnExactlyOneAssemblyTheFirstListed() {
        let driver = Self.started(PlacementDriver.deployable(over: ["b", "a", "c"]))
        #expect(driver.placedOn("vip") == "b")
        #expect(driver.running("vip") == ["b"])
        #expect(driver.runtime.state == .running)
    }

    @Test func theSpreadNeverPutsMoreThanThePerAssemblyMaximumOnOneAssembly() {
        let clone = CloneSettings(name: "ips", max: 5, perAssemblyMax: 2, globallyUnique: true)
        var driver = Self.started(PlacementDriver.deployable(over: ["a", "b", "c"], clone: clone))
        #expect((0..<5).map { driver.placedOn("ip:\($0)") } == ["a", "b", "c", "a", "b"])
        driver.send(.assemblyLost("c", reason: "gone"))
        driver.settle()
        // ip:2 could only go where there is room: a and b already hold 2 each.
        #expect(driver.count(on: "a", "ip") == 2 && driver.count(on: "b", "ip") == 2)
        #expect(driver.running("ip:2") == ["c"], "it waited for c, which came back")
    }

    @Test func anInstanceWithNoRoomElsewhereWaitsForItsAssemblyAndStartsThereAgain() {
        let clone = CloneSettings(name: "ips", max: 2, perAssemblyMax: 1, globallyUnique: true)
        var driver = Self.started(PlacementDriver.deployable(over: ["a", "b"], clone: clone))
        driver.holdFence = ["b"]
        driver.send(.assemblyLost("b", reason: "gone"))
        driver.settle()
        #expect(driver.placedOn("ip:1") == "b")
        #expect(driver.running("ip:1") == [])
        driver.holdFence = []
        driver.send(.assemblyFenced("b"))
        driver.settle()
        #expect(driver.running("ip:1") == ["b"])
    }

    @Test func bannedEverywhereItRunsNowhereUntilTheFirstBanExpires() {
        var driver = Self.started(PlacementDriver.deployable(over: ["a", "b"], expiry: .seconds(60)))
        let firstFailure = driver.scenario.now
        driver.monitorFails("vip", on: "a")
        driver.settle()
        #expect(driver.running("vip") == ["b"])
        driver.scenario.advance(10)
        driver.monitorFails("vip", on: "b")
        driver.settle()
        #expect(driver.running("vip") == [])
        #expect(driver.placedOn("vip") == nil)
        #expect(driver.runtime.state == .degraded)
        #expect(
            driver.log.map(\.description).contains(
                "stop b/vip: web/vip failed 1 time on b (migration-threshold 1) and no other assembly can take it: stopping it: stopping b/vip"
            ))
        #expect(driver.scenario.policy.nextWake(driver.runtime) == firstFailure + 60)
        driver.scenario.now = firstFailure + 60
        driver.send(.tick)
        driver.settle()
        #expect(driver.running("vip") == ["a"])
        #expect(driver.runtime.state == .running)
    }

    @Test func withoutFailureExpiryABanLastsUntilTheOperatorCleansItUp() {
        var driver = Self.started(PlacementDriver.deployable(over: ["a", "b"]))
        driver.monitorFails("vip", on: "a")
        driver.settle()
        driver.scenario.advance(100_000)
        driver.send(.assemblyLost("b", reason: "gone"))
        driver.settle()
        #expect(driver.running("vip") == ["b"], "a is still banned, so it waited for b")
        driver.send(.cleanup(ResourceID("a/vip")!))
        driver.monitorFails("vip", on: "b")
        driver.settle()
        #expect(driver.running("vip") == ["a"])
    }

    @Test func withStickinessZeroAnInstanceGoesBackToItsPreferredAssembly() {
        var driver = Self.started(PlacementDriver.deployable(over: ["a", "b"], stickiness: 0, threshold: nil))
        driver.holdFence = ["a"]
        driver.send(.assemblyLost("a", reason: "gone"))
        driver.send(.assemblyFenced("a"))
        driver.settle()
        // The driver restarts a at once; vip moved to b and, a being preferred, back to a.
        let moves = driver.log.map(\.description).filter { $0.contains("web/vip") }
        #expect(moves.contains { $0.hasPrefix("start b/vip: web/vip ran on a, which went away: moving it to b") })
        #expect(moves.contains { $0.hasPrefix("stop b/vip: web/vip prefers a (stickiness 0): moving it back from b") })
        #expect(driver.running("vip") == ["a"])
    }

    @Test func withStickinessAnInstanceStaysWhereItRunsWhenItsFormerAssemblyReturns() {
        var driver = Self.started(PlacementDriver.deployable(over: ["a", "b"], threshold: nil))
        driver.send(.assemblyLost("a", reason: "gone"))
        driver.settle()
        #expect(driver.runtime.assemblies["a"]?.state == .running)
        #expect(driver.running("vip") == ["b"])
    }

    @Test func aFailedStopWithStopOnFailBlockIsLeftAloneAndNotStartedElsewhere() {
        var driver = Self.started(PlacementDriver.deployable(over: ["a", "b"], stopOnFail: .block))
        driver.stopAnswer = .unknownError
        driver.monitorFails("vip", on: "a")
        driver.settle()
        #expect(driver.runtime.resources[ResourceID("a/vip")!]?.state == .blocked)
        #expect(driver.running("vip") == [], "it may still run on a: no second copy on b")
        #expect(driver.log.map(\.description).contains { $0.hasPrefix("block a/vip: stop of a/vip failed") })
        #expect(driver.runtime.assemblies["a"]?.state == .running, "not fenced")
    }

    @Test func aFailedStopWithoutStopOnFailFencesTheAssemblyAndTheInstanceStartsElsewhere() {
        var driver = Self.started(PlacementDriver.deployable(over: ["a", "b"]))
        driver.stopAnswer = .unknownError
        driver.monitorFails("vip", on: "a")
        driver.settle()
        #expect(driver.running("vip") == ["b"])
    }

    @Test func anOperatorStopStopsEveryInstanceAndAStartSpreadsThemAgain() throws {
        var driver = PlacementDriver(try PlacementDriver.clusterIP())
        driver.send(.start)
        driver.settle()
        driver.monitorFails("ClusterIP:7", on: "b")
        driver.settle()
        driver.send(.stop)
        driver.settle()
        #expect(driver.runtime.state == .stopped)
        #expect(driver.runtime.resources.values.allSatisfy { $0.state != .running })
        driver.send(.start)
        driver.settle()
        #expect(driver.running("ClusterIP:7") == ["a"], "b is still banned for ClusterIP:7 (no failure-expiry)")
        #expect(driver.count(on: "a", "ClusterIP") == 17 && driver.count(on: "b", "ClusterIP") == 16)
    }
}
