import Foundation
import PCloudModel
import PCloudSimulation
import Testing

@testable import PCloudController

/// Resuming after a controller restart, in-process on the simulated infrastructure.
struct EngineResumeTests {
    /// A listing that fails at the restart is unknown, not "every guest is gone": before, it was read
    /// as an empty list, and the resumed engine fenced and restarted a guest that ran all along.
    @Test func aFailedGuestListingAtResumeIsRetriedAndNeverActedOn() async throws {
        let world = try SimulatedWorld([SimulatedWorld.deployable("dep")])
        let first = world.engines()
        try await first.start("dep")
        #expect(try await world.state("running", of: "dep") != nil, "the deployable never ran")
        await first.shutdown()
        #expect(world.infrastructure.count("start") == 1)
        #expect(world.monitor.count(.start, "dep", "db/store") == 1)
        let before = try await world.events(of: "dep").last?.seq ?? 0

        world.infrastructure.failListings(3)
        let listingsBefore = world.infrastructure.count("guests")
        let resumed = world.engines(listingRetry: ListingRetry(first: .milliseconds(20), maximum: .milliseconds(80)))
        await resumed.resumeAll()
        let cleared = try await world.event(of: "dep", after: before) { $0.kind == "deployable.problem-cleared" }
        #expect(cleared?.message.contains("after 3 failed attempts") == true, "\(String(describing: cleared))")
        #expect(try await world.state("running", of: "dep", after: cleared?.seq ?? before) != nil, "not running again")
        await resumed.shutdown()

        #expect(world.infrastructure.count("guests") - listingsBefore == 4, "three failed listings, then one answer")
        let problems = try await world.events(of: "dep").filter { $0.seq > before && $0.kind == "deployable.problem" }
        #expect(problems.count == 1, "said once, not at every retry: \(problems.map(\.message))")
        #expect(problems.first?.message.contains("could not list the guests of deployable dep") == true)
        #expect(world.infrastructure.count("fence") == 0, "a guest that ran all along was fenced")
        #expect(world.infrastructure.count("start") == 1, "a guest that ran all along was started again")
        #expect(world.monitor.count(.start, "dep", "db/store") == 1, "a resource that ran all along was started again")
    }

    /// Shut down while the infrastructure does not answer: the engine ends without doing anything.
    @Test func aShutdownWhileTheListingFailsEndsTheEngineQuietly() async throws {
        let world = try SimulatedWorld([SimulatedWorld.deployable("dep")])
        let first = world.engines()
        try await first.start("dep")
        #expect(try await world.state("running", of: "dep") != nil)
        await first.shutdown()
        world.infrastructure.failListings(1_000_000)
        let resumed = world.engines(listingRetry: ListingRetry(first: .milliseconds(10), maximum: .milliseconds(10)))
        await resumed.resumeAll()
        #expect(try await world.event(of: "dep") { $0.kind == "deployable.problem" } != nil)
        await resumed.shutdown()
        #expect(world.infrastructure.count("fence") == 0)
        #expect(world.infrastructure.count("start") == 1)
    }
}
