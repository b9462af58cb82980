import PCloudModel
import Testing

@testable import PCloudPolicy

/// The IPaddr2 unique-clone scenario (Deployables/clusterip.yaml): 33 instances over a and b.
@Suite struct PlacementScenarioTests {
    static func started() throws -> PlacementDriver {
        var driver = PlacementDriver(try PlacementDriver.clusterIP())
        driver.send(.start)
        driver.settle()
        return driver
    }

    @Test func theThirtyThreeInstancesAreSpreadAlternatelyInstanceZeroOnTheFirstAssembly() throws {
        let driver = try Self.started()
        for number in 0..<33 {
            let expected = number % 2 == 0 ? "a" : "b"
            #expect(driver.placedOn("ClusterIP:\(number)") == expected)
            #expect(driver.running("ClusterIP:\(number)") == [expected])
        }
        #expect(driver.count(on: "a", "ClusterIP") == 17 && driver.count(on: "b", "ClusterIP") == 16)
        #expect(driver.runtime.state == .running)
    }

    @Test func instanceNIsStartedWithItsCloneNumberSoIPaddr2HoldsTheAddressTenPlusN() throws {
        let driver = try Self.started()
        let starts = driver.log.compactMap { action -> (ResourceID, OperationArguments)? in
            if case .start(let id, let arguments) = action.step { return (id, arguments) }
            return nil
        }
        #expect(starts.count == 33)
        for (id, arguments) in starts {
            let number = try #require(PlacedResource.split(id.resource).number)
            #expect(arguments.parameters["CRM_meta_clone"] == "\(number)")
            #expect(arguments.parameters["ip"] == "192.168.200.10")
            #expect(arguments.parameters["unique_clone_address"] == "true")
            #expect(arguments.parameters["CRM_meta_globally_unique"] == "true")
            #expect(arguments.parameters["CRM_meta_clone_max"] == "33")
        }
    }

    @Test func everyInstanceIsProbedOnBothAssembliesBeforeAnyStarts() throws {
        let driver = try Self.started()
        let firstStart = try #require(driver.log.firstIndex { if case .start = $0.step { true } else { false } })
        let probesBefore = driver.log[..<firstStart].filter { if case .probe = $0.step { true } else { false } }
        #expect(probesBefore.count == 66)
    }

    @Test func anInstanceWhoseMonitorFailsOnceMovesToTheOtherAssemblyWhileTheOthersStayPut() throws {
        var driver = try Self.started()
        let before = driver.runtime.placement!.assignment
        let mark = driver.log.count
        driver.monitorFails("ClusterIP:7", on: "b")
        // The stop on b comes first; the start on a waits for it.
        let moveReason = "clusterip/ClusterIP:7 failed 1 time on b (migration-threshold 1): moving it to a"
        #expect(driver.queue.map(\.description).contains("stop b/ClusterIP:7: \(moveReason): stopping b/ClusterIP:7"))
        #expect(!driver.queue.contains { if case .start = $0.step { true } else { false } })
        driver.settle()
        let after = Array(driver.log[mark...])
        #expect(after.map(\.description).contains("start a/ClusterIP:7: \(moveReason): starting a/ClusterIP:7"))
        #expect(driver.running("ClusterIP:7") == ["a"])
        var expected = before
        expected["ClusterIP:7"] = "a"
        #expect(driver.runtime.placement!.assignment == expected)
        #expect(driver.count(on: "a", "ClusterIP") == 18 && driver.count(on: "b", "ClusterIP") == 15)
        // The failed action stays visible on b.
        let failure = try #require(driver.runtime.resources[ResourceID("b/ClusterIP:7")!]?.lastFailure)
        #expect(failure.action == .monitor && failure.code == .notRunning)
        #expect(driver.runtime.state == .running)
        // Nothing else was stopped or started.
        #expect(after.filter { if case .start = $0.step { true } else { false } }.count == 1)
        #expect(after.filter { if case .stop = $0.step { true } else { false } }.count == 1)
    }

    @Test func aStoppedAssemblyHandsAllItsInstancesToTheOtherOnceItIsConfirmedOff() throws {
        var driver = try Self.started()
        driver.holdFence = ["b"]
        driver.send(.assemblyLost("b", reason: "stopped by hand"))
        driver.settle()
        // Not yet confirmed off: b's instances may still hold their addresses, so none starts on a.
        #expect(driver.count(on: "a", "ClusterIP") == 17)
        #expect((0..<33).allSatisfy { driver.placedOn("ClusterIP:\($0)") == "a" })
        driver.holdFence = []
        driver.send(.assemblyFenced("b"))
        driver.settle()
        #expect(driver.count(on: "a", "ClusterIP") == 33)
        #expect(
            driver.log.map(\.description).contains(
                "start a/ClusterIP:1: clusterip/ClusterIP:1 ran on b, which went away: moving it to a: starting a/ClusterIP:1"))
        // b came back (the driver restarted and reached it): with stickiness INFINITY nothing moves back.
        #expect(driver.runtime.assemblies["b"]?.state == .running)
        #expect(driver.count(on: "b", "ClusterIP") == 0)
        #expect((0..<33).allSatisfy { driver.running("ClusterIP:\($0)") == ["a"] })
        #expect(driver.runtime.state == .running)
    }

    @Test func anInstanceFoundRunningWhereItIsNotPlacedIsStoppedBeforeItStartsWhereItBelongs() throws {
        var driver = PlacementDriver(try PlacementDriver.clusterIP())
        driver.send(.start)
        // Resolve only the guests first, then answer b's probe of ClusterIP:0 with "running".
        var probes: [PlannedAction] = []
        while let action = driver.queue.first {
            driver.queue.removeFirst()
            switch action.step {
            case .startAssembly(let name):
                driver.send(.assemblyStarted(name, address: nil, hostname: nil))
                driver.send(.assemblyReachable(name))
            case .probe: probes.append(action)
            default: break
            }
        }
        for action in probes {
            guard case .probe(let id, let arguments) = action.step else { continue }
            let code: OCFExitCode = id == ResourceID("b/ClusterIP:0")! ? .ok : .notRunning
            driver.send(.operationCompleted(id, .probe, code, incarnation: arguments.incarnation, detail: nil))
        }
        #expect(driver.queue.map(\.description).contains { $0.hasPrefix("stop b/ClusterIP:0:") })
        #expect(!driver.queue.contains { if case .start(let id, _) = $0.step { id.resource == "ClusterIP:0" } else { false } })
        driver.settle()
        #expect(driver.running("ClusterIP:0") == ["a"])
    }
}
