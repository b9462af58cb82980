import Foundation
import PCloudModel
import PCloudSimulation
import Testing

@testable import PCloudController

/// The engine on a manual clock: minutes of checks, timeouts and backoff pass in milliseconds, and
/// the same run gives the same events every time.
struct EngineTimeTests {
    private let guest = GuestName(deployable: "dep", assembly: "db")

    /// A started guest that never answers is lost only after its boot timeout (300 s): checks before
    /// then change nothing, and the loss is decided by the policy, with the time it took.
    @Test func aGuestThatNeverAnswersIsLostAtItsBootTimeoutNotBefore() async throws {
        let clock = ManualClock()
        let world = try SimulatedWorld([SimulatedWorld.deployable("dep")], clock: clock)
        world.monitor.set(guest, unreachable: "connection refused")
        let engines = world.engines()
        try await engines.start("dep")
        let started = try #require(try await world.event(of: "dep") { $0.kind == "assembly.started" })
        await clock.waitForSleepers(1)  // its first check failed; the next waits for the interval
        clock.advance(by: .seconds(299))
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(2))
        let lost = try #require(try await world.event(of: "dep", after: started.seq) { $0.kind == "assembly.restart" })
        #expect(lost.message.contains("not reachable 5m after it was started: connection refused"), "\(lost.message)")
        // Simulated time: lost at the check after 299 s + 2 s, not at the one at 299 s.
        #expect(abs(lost.at - started.at - 301) < 1e-6, "lost \(lost.at - started.at) s after it was started")
        #expect(world.monitor.checks(of: guest) == 3)
        await engines.shutdown()
    }

    /// A resource that dies is found by its next monitor and restarted; the restart happens in
    /// simulated time (interval 200 ms), with no real wait.
    @Test func aResourceThatDiesIsRestartedAtItsNextMonitor() async throws {
        let clock = ManualClock()
        let world = try SimulatedWorld([SimulatedWorld.deployable("dep")], clock: clock)
        let engines = world.engines()
        try await engines.start("dep")
        let running = try #require(try await world.state("running", of: "dep"))
        await clock.waitForSleepers(2)  // the guest's liveness and the resource's monitor
        world.monitor.set("dep", "db/store", running: false)
        clock.advance(by: .milliseconds(200))
        let restart = try #require(
            try await world.event(of: "dep", after: running.seq) { $0.kind == "resource.restart" })
        #expect(restart.message.contains("db/store"), "\(restart.message)")
        let again = try #require(try await world.state("running", of: "dep", after: restart.seq))
        // Simulated time moved by the one monitor interval only: no wait of any kind in between.
        #expect(abs(again.at - running.at - 0.2) < 1e-6, "running again \(again.at - running.at) s later")
        #expect(world.monitor.count(.start, "dep", "db/store") == 2)
        #expect(world.monitor.isRunning("dep", "db/store"))
        await engines.shutdown()
    }
}
