import Foundation
import PCloudModel
import PCloudSimulation
import Testing

@testable import PCloudController

/// Maintenance with an expiry on the engine's clock: kept over a definition reload, it runs out at
/// its time (simulated: no real wait), then the resource is probed and repaired.
struct MaintenanceExpiryTests {
    @Test func maintenanceKeptOverAReloadRunsOutAtItsTimeThenTheResourceIsRepaired() async throws {
        let clock = ManualClock()
        let world = try SimulatedWorld([SimulatedWorld.deployable("dep")], clock: clock)
        let engines = world.engines()
        try await engines.start("dep")
        let running = try #require(try await world.state("running", of: "dep"))
        try await engines.maintenanceOn("dep", element: "db/store", for: .seconds(1800))
        let on = try #require(try await world.event(of: "dep", after: running.seq) { $0.kind == "maintenance.on" })
        #expect(on.message.contains("into maintenance for 30m"), "\(on.message)")
        // Its wake, the guest's liveness and the resource's monitor.
        await clock.waitForSleepers(3)
        world.monitor.set("dep", "db/store", running: false)
        clock.advance(by: .milliseconds(200))
        let reported = try #require(
            try await world.event(of: "dep", after: on.seq) { $0.kind == "maintenance.failure-reported" })
        try await engines.reload("dep")
        _ = try #require(try await world.event(of: "dep", after: reported.seq) { $0.kind == "deployable.reloaded" })
        #expect(await engines.runtime(of: "dep")?.maintenanceWindows.map(\.element.text) == ["db/store"])
        #expect(world.monitor.count(.start, "dep", "db/store") == 1)
        await clock.waitForSleepers(3)
        clock.advance(by: .seconds(1800))
        let expired = try #require(try await world.event(of: "dep", after: reported.seq) { $0.kind == "maintenance.expired" })
        // Simulated time: the 0.2 s monitor step, then the 30 minutes (it ran out at the advance past its end).
        #expect(abs(expired.at - on.at - 1800.2) < 1e-6, "expired \(expired.at - on.at) s after it began")
        let start = try #require(try await world.event(of: "dep", after: expired.seq) { $0.kind == "resource.start" })
        #expect(start.message == "db/store left maintenance and was found not running: starting it")
        _ = try #require(try await world.state("running", of: "dep", after: start.seq))
        #expect(world.monitor.count(.start, "dep", "db/store") == 2)
        #expect(await engines.runtime(of: "dep")?.maintenance == nil)
        await engines.shutdown()
    }
}
