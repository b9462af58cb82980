import PCloudStore
import PCloudTestSupport
import Synchronization
import Testing

@testable import PCloudController

// ClusterService against the real PostgreSQL of the test harness: two controllers, one deployable.
// Rounds are run by hand (`tick`) with the monotonic time passed in, so nothing waits for a lease.

private func twoStores() async throws -> (Store, Store)? {
    if let reason = PostgresServer.missing {
        print("skipping: \(reason)")
        return nil
    }
    let server = try PostgresServer.shared()
    let location = try StoreLocation(parsing: server.tcpURL(try server.createDatabase()), passwordFile: server.passwordFile)
    return (try await Store(location: location), try await Store(location: location))
}

private func controller(_ id: String, _ store: Store) throws -> ClusterService {
    ClusterService(store: store, controller: id, address: "\(id):8080", settings: try LeaseKeeper.Settings()) { ["dep"] }
}

@Test func atShutdownAControllerHandsItsLeasesOverSoAnotherClaimsAtOnce() async throws {
    guard let (storeA, storeB) = try await twoStores() else { return }
    let a = try controller("a", storeA)
    let b = try controller("b", storeB)
    var changes = a.changes.makeAsyncIterator()
    let running = Task { try await a.run() }
    #expect(await changes.next() == .acquired(deployable: "dep", epoch: 1))
    #expect(await a.epoch(of: "dep") == 1)

    await b.tick()
    #expect(await b.epoch(of: "dep") == nil, "b claimed a deployable a holds")
    #expect(try await storeB.members().map(\.controller) == ["a", "b"])

    // Cancelled as the ServiceGroup's graceful shutdown (SIGTERM) cancels its leases loop.
    running.cancel()
    #expect(await changes.next() == .released(deployable: "dep", epoch: 1))
    #expect(await changes.next() == nil)
    try await running.value
    #expect(await a.epoch(of: "dep") == nil)
    #expect(try await storeB.members().map(\.controller) == ["b"], "a left the members at shutdown")

    await b.tick()  // no expiry to wait for
    #expect(await b.epoch(of: "dep") == 2)
    await storeA.close()
    await storeB.close()
}

@Test func aControllerWhoseRenewalIsRefusedAfterATakeoverLosesTheLease() async throws {
    guard let (storeA, storeB) = try await twoStores() else { return }
    let a = try controller("a", storeA)
    let b = try controller("b", storeB)
    var changes = a.changes.makeAsyncIterator()
    let start = ContinuousClock.now
    await a.tick(now: start)
    #expect(await changes.next() == .acquired(deployable: "dep", epoch: 1))
    try await storeA.renew(deployable: "dep", by: "a", epoch: 1, leaseSeconds: 0)  // as if a had been cut off
    await b.tick()
    #expect(await b.epoch(of: "dep") == 2)

    await a.tick(now: start + .seconds(4))  // its renewal is due, and refused
    #expect(await changes.next() == .lost(deployable: "dep", epoch: 1))
    #expect(await a.epoch(of: "dep") == nil)
    await storeA.close()
    await storeB.close()
}

@Test func aControllerPastItsDeadlineStopsActingUntilARenewalSucceeds() async throws {
    guard let (storeA, storeB) = try await twoStores() else { return }
    let a = try controller("a", storeA)
    var changes = a.changes.makeAsyncIterator()
    let start = ContinuousClock.now
    await a.tick(now: start)
    #expect(await changes.next() == .acquired(deployable: "dep", epoch: 1))
    await a.tick(now: start + .seconds(9))  // past 10 s − 2 s with no renewal in between
    #expect(await changes.next() == .stopActing(deployable: "dep"))
    #expect(await changes.next() == .resumed(deployable: "dep", epoch: 1), "nobody claimed it: the renewal succeeds")
    #expect(await a.epoch(of: "dep") == 1)
    await storeA.close()
    await storeB.close()
}

@Test func aDeployableNoLongerWantedIsReleasedForOthersAtOnce() async throws {
    guard let (storeA, storeB) = try await twoStores() else { return }
    let wanted = Mutex(["dep"])
    let a = ClusterService(store: storeA, controller: "a", address: "a:8080", settings: try LeaseKeeper.Settings()) {
        wanted.withLock { $0 }
    }
    let b = try controller("b", storeB)
    var changes = a.changes.makeAsyncIterator()
    await a.tick()
    #expect(await changes.next() == .acquired(deployable: "dep", epoch: 1))
    wanted.withLock { $0 = [] }  // e.g. stopped: its engine is gone
    await a.tick()
    #expect(await changes.next() == .released(deployable: "dep", epoch: 1))
    await b.tick()
    #expect(await b.epoch(of: "dep") == 2)
    await storeA.close()
    await storeB.close()
}
