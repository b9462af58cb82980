import PCloudModel
import Testing

@testable import PCloudPolicy

/// Ordering that names a placed resource: it stands for every instance, wherever it runs.
@Suite struct PlacementOrderingTests {
    /// vip floats over a and b; web/httpd runs only after it.
    static func deployable() -> Deployable {
        var deployable = PlacementDriver.deployable(over: ["a", "b"])
        deployable.assemblies.append(
            Assembly(
                name: "web", address: "10.0.0.3", resources: [Resource(name: "httpd", resourceClass: .systemd, type: "apache2")]))
        deployable.ordering = [Ordering(first: ResourceID(placed: "vip"), then: ResourceID("web/httpd")!)]
        return deployable
    }

    @Test func aResourceOrderedAfterAFloatingOneStartsOnlyOnceItRuns() {
        var driver = PlacementDriver(Self.deployable())
        driver.send(.start)
        driver.settle()
        let starts = driver.log.compactMap { if case .start(let id, _) = $0.step { id.description } else { nil } }
        #expect(starts == ["a/vip", "web/httpd"])
        #expect(driver.log.map(\.description).contains("start web/httpd: web/httpd is not running and vip runs: starting it"))
    }

    @Test func whenTheFloatingResourceMovesWhatRunsAfterItIsStoppedAndStartedAgain() {
        var driver = PlacementDriver(Self.deployable())
        driver.send(.start)
        driver.settle()
        let mark = driver.log.count
        driver.monitorFails("vip", on: "a")
        driver.settle()
        let steps = driver.log[mark...].filter { !$0.step.isDecision }.map(\.step.description)
        #expect(
            steps.filter { $0.hasPrefix("stop") || $0.hasPrefix("start") } == [
                "stop web/httpd", "stop a/vip", "start b/vip", "start web/httpd",
            ])
        #expect(
            driver.log[mark...].map(\.description).contains(
                "stop web/httpd: vip (vip on b) is not running and web/httpd runs only after it: stopping web/httpd"))
        #expect(driver.running("vip") == ["b"] && driver.runtime.resources[ResourceID("web/httpd")!]?.state == .running)
    }

    @Test func orderingByAPlacedResourceNameRoundTripsThroughYAML() throws {
        let text = YAMLExport.yaml(Self.deployable())
        #expect(text.contains("- {first: vip, then: web/httpd}"))
        let reloaded = try DefinitionLoader().parseDeployable(text: text, file: "ordering.yaml")
        #expect(reloaded.ordering == Self.deployable().ordering)
    }
}
