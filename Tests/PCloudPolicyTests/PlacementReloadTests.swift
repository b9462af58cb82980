import PCloudModel
import Testing

@testable import PCloudPolicy

/// Placement next to the rest of the policy: definition reloads and parameter references.
@Suite struct PlacementReloadTests {
    @Test func aReloadedDefinitionKeepsEveryRunningInstanceWhereItRuns() throws {
        var driver = PlacementDriver(try PlacementDriver.clusterIP())
        driver.send(.start)
        driver.settle()
        driver.monitorFails("ClusterIP:7", on: "b")
        driver.settle()
        let before = driver.runtime.placement!.assignment
        // The engine's reload builds a fresh runtime and keeps resource entries: placement starts over.
        driver.scenario.runtime.placement = PlacementRuntime()
        driver.send(.tick)
        #expect(driver.queue.filter { !$0.step.isDecision }.isEmpty, "nothing is stopped or started")
        #expect(driver.runtime.placement!.assignment == before)
    }

    @Test func aPlacedResourceWaitsForAReferencedAddressAndFollowsIt() {
        var deployable = PlacementDriver.deployable(over: ["a", "b"], threshold: 1)
        deployable.assemblies.append(Assembly(name: "db", address: "10.0.0.9"))
        deployable.resources[0].resource.parameters.append(
            Parameter(name: "db", value: .reference(ParameterReference(assembly: "db", parameter: .ipaddress))))
        var driver = PlacementDriver(deployable)
        driver.send(.start)
        driver.settle()
        #expect(driver.running("vip") == [], "db's address is not known yet")
        driver.addresses["db"] = "10.0.0.20"
        driver.send(.assemblyLost("db", reason: "gone"))
        driver.settle()
        #expect(driver.running("vip") == ["a"])
        let start = driver.log.compactMap {
            if case .start(let id, let arguments) = $0.step, id.resource == "vip" { arguments } else { nil }
        }
        #expect(start.last?.parameters["db"] == "10.0.0.20")
    }
}
