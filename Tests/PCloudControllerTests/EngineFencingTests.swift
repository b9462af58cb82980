import Foundation
import PCloudModel
import PCloudSimulation
import PCloudStore
import Testing

@testable import PCloudController

/// The second safety layer, in-process: an engine whose lease was taken over while it ran (its
/// controller too slow to notice) has its next write refused by the store, carries out nothing of
/// that plan, and ends, leaving the guest and its resource to the new owner.
@Test func anEngineWhoseLeaseWasTakenOverCarriesOutNothingMoreAndEnds() async throws {
    let world = try SimulatedWorld([SimulatedWorld.deployable("dep")])
    let store = world.controller.store
    let old = try await store.claim(deployable: "dep", by: "a", leaseSeconds: 60)
    let engines = world.engines()
    let engine = try await engines.engine(for: "dep", resuming: false, epoch: old)
    engine.send(.start)
    #expect(try await world.state("running", of: "dep") != nil, "the deployable never ran")
    #expect(world.monitor.count(.start, "dep", "db/store") == 1)
    let before = try await world.events(of: "dep").last?.seq ?? 0

    // Another controller takes the lease over (here by a release and a claim: no waiting for expiry).
    try await store.release(deployable: "dep", by: "a", epoch: old)
    let new = try await store.claim(deployable: "dep", by: "b", leaseSeconds: 60)
    #expect(new == old + 1)
    // The resource fails: the old engine would restart it; its record is refused first.
    world.monitor.set("dep", "db/store", running: false)
    var ended = false
    for _ in 0..<200 where !ended {
        ended = await engines.runtime(of: "dep") == nil
        if !ended { try await Task.sleep(for: .milliseconds(50)) }
    }
    #expect(ended, "the fenced engine did not end")
    #expect(world.monitor.count(.stop, "dep", "db/store") == 0, "the fenced engine stopped the resource")
    #expect(world.monitor.count(.start, "dep", "db/store") == 1, "the fenced engine started the resource again")
    #expect(world.infrastructure.count("fence") == 0)
    let after = try await world.events(of: "dep").filter { $0.seq > before }
    #expect(after.isEmpty, "the fenced engine wrote: \(after.map(\.message))")
    await engines.shutdown()
}
