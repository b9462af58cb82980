import Foundation
import PCloudModel
import Testing

@testable import PCloudStore

// Membership, leases and fenced writes, on SQLite and a real PostgreSQL. No test waits for a lease
// to run out: an expired lease is one renewed (or claimed) for zero seconds, already over by the
// database's clock when the next command runs.

/// One hour: a lease that cannot expire during a test.
private let long = 3600.0

@Test(arguments: Backend.allCases) func concurrentClaimsOfOneDeployableHaveExactlyOneWinner(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let stores = [try await fresh.open(), try await fresh.open()]  // two controllers: two connection pools
    let outcomes = await withTaskGroup(of: String.self) { group in
        for attempt in 0..<10 {
            group.addTask {
                do {
                    let epoch = try await stores[attempt % 2].claim(deployable: "dep", by: "c\(attempt)", leaseSeconds: long)
                    return "won \(epoch)"
                } catch StoreError.leaseHeld(deployable: "dep", holder: _, epoch: 1) {
                    return "held"
                } catch { return "\(error)" }
            }
        }
        return await group.reduce(into: [String]()) { $0.append($1) }
    }
    #expect(outcomes.filter { $0 == "won 1" }.count == 1, "\(outcomes)")
    #expect(outcomes.filter { $0 == "held" }.count == 9, "\(outcomes)")
    let leases = try await stores[0].leases()
    #expect(leases.count == 1 && leases[0].epoch == 1 && leases[0].isHeld)
    for store in stores { await store.close() }
}

@Test(arguments: Backend.allCases) func aClaimBeforeExpiryIsRefusedAndAfterItGetsTheNextEpoch(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    #expect(try await store.claim(deployable: "dep", by: "a", leaseSeconds: long) == 1)
    await #expect(throws: StoreError.leaseHeld(deployable: "dep", holder: "a", epoch: 1)) {
        try await store.claim(deployable: "dep", by: "b", leaseSeconds: long)
    }
    await #expect(throws: StoreError.leaseHeld(deployable: "dep", holder: "a", epoch: 1)) {
        try await store.claim(deployable: "dep", by: "a", leaseSeconds: long)  // the holder renews, it does not re-claim
    }
    try await store.renew(deployable: "dep", by: "a", epoch: 1, leaseSeconds: 0)  // runs out now
    #expect(try await store.leases().first?.isHeld == false)
    #expect(try await store.claim(deployable: "dep", by: "b", leaseSeconds: long) == 2)
    let lease = try #require(try await store.leases().first)
    #expect(lease.holder == "b" && lease.epoch == 2 && lease.expiresIn > long - 60)
    await store.close()
}

@Test(arguments: Backend.allCases) func theOldHolderCannotRenewOrReleaseAfterATakeover(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.claim(deployable: "dep", by: "a", leaseSeconds: 0)
    try await store.claim(deployable: "dep", by: "b", leaseSeconds: long)
    let stale = StoreError.staleEpoch(deployable: "dep", epoch: 1, current: 2, holder: "b")
    await #expect(throws: stale) { try await store.renew(deployable: "dep", by: "a", epoch: 1, leaseSeconds: long) }
    await #expect(throws: stale) { try await store.release(deployable: "dep", by: "a", epoch: 1) }
    await #expect(throws: StoreError.staleEpoch(deployable: "dep", epoch: 2, current: 2, holder: "b")) {
        try await store.renew(deployable: "dep", by: "a", epoch: 2, leaseSeconds: long)  // the right epoch, not its holder
    }
    await #expect(throws: StoreError.staleEpoch(deployable: "none", epoch: 1, current: nil, holder: nil)) {
        try await store.renew(deployable: "none", by: "a", epoch: 1, leaseSeconds: long)
    }
    let lease = try #require(try await store.leases().first)
    #expect(lease.holder == "b" && lease.epoch == 2 && lease.isHeld, "refused renewals and releases changed the lease")
    try await store.renew(deployable: "dep", by: "b", epoch: 2, leaseSeconds: long)
    await store.close()
}

@Test(arguments: Backend.allCases) func anExpiredLeaseNobodyClaimedIsStillTheHoldersToRenew(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.claim(deployable: "dep", by: "a", leaseSeconds: 0)
    try await store.renew(deployable: "dep", by: "a", epoch: 1, leaseSeconds: long)
    await #expect(throws: StoreError.leaseHeld(deployable: "dep", holder: "a", epoch: 1)) {
        try await store.claim(deployable: "dep", by: "b", leaseSeconds: long)
    }
    await store.close()
}

@Test(arguments: Backend.allCases) func aReleaseLetsAnotherClaimAtOnceAndFencesTheReleaser(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.claim(deployable: "dep", by: "a", leaseSeconds: long)
    try await store.release(deployable: "dep", by: "a", epoch: 1)
    #expect(try await store.leases().map(\.holder) == [nil])
    let released = StoreError.staleEpoch(deployable: "dep", epoch: 1, current: 1, holder: nil)
    await #expect(throws: released) {
        try await store.append([StoredEvent(at: 1, deployable: "dep", kind: "late", message: "after release")], epoch: 1)
    }
    await #expect(throws: released) { try await store.release(deployable: "dep", by: "a", epoch: 1) }
    #expect(try await store.claim(deployable: "dep", by: "b", leaseSeconds: long) == 2)
    #expect(try await store.events().isEmpty)
    await store.close()
}

@Test(arguments: Backend.allCases) func writesUnderAStaleEpochAreRefusedAndWriteNothing(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.claim(deployable: "dep", by: "a", leaseSeconds: 0)
    try await store.save([RuntimeStateRecord(deployable: "dep", state: "running", updatedAt: 1)], epoch: 1)
    try await store.append([StoredEvent(at: 1, deployable: "dep", kind: "started", message: "by a")], epoch: 1)
    try await store.record([FailureRecord(deployable: "dep", resource: "r", at: 1, reason: "seen by a")], epoch: 1)
    try await store.claim(deployable: "dep", by: "b", leaseSeconds: long)  // a's lease ran out: b takes over

    let stale = StoreError.staleEpoch(deployable: "dep", epoch: 1, current: 2, holder: "b")
    await #expect(throws: stale) {
        try await store.save(
            [
                RuntimeStateRecord(deployable: "dep", state: "stopped", updatedAt: 2),
                RuntimeStateRecord(deployable: "dep", assembly: "web", state: "stopped", updatedAt: 2),
            ], epoch: 1)
    }
    await #expect(throws: stale) {
        try await store.append([StoredEvent(at: 2, deployable: "dep", kind: "stopped", message: "by a, too late")], epoch: 1)
    }
    await #expect(throws: stale) {
        try await store.record([FailureRecord(deployable: "dep", resource: "r", at: 2, reason: "a again")], epoch: 1)
    }
    await #expect(throws: stale) { try await store.clearFailures(deployable: "dep", assembly: "", resource: "r", epoch: 1) }
    #expect(try await store.states(deployable: "dep").map(\.state) == ["running"])
    #expect(try await store.events().map(\.kind) == ["started"])
    #expect(try await store.failures(deployable: "dep").map(\.reason) == ["seen by a"])

    try await store.save([RuntimeStateRecord(deployable: "dep", state: "running", updatedAt: 3)], epoch: 2)
    #expect(try await store.states(deployable: "dep").map(\.updatedAt) == [3])
    // Unfenced writes (one controller, no leases) are not checked.
    try await store.append([StoredEvent(at: 3, deployable: "dep", kind: "note", message: "unfenced")])
    #expect(try await store.events().count == 2)
    await store.close()
}

@Test(arguments: Backend.allCases) func aFencedWriteIsForOneDeployableWithALease(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.claim(deployable: "dep", by: "a", leaseSeconds: long)
    await #expect(throws: StoreError.self) {
        try await store.append(
            [
                StoredEvent(at: 1, deployable: "dep", kind: "k", message: "m"),
                StoredEvent(at: 1, deployable: "other", kind: "k", message: "m"),
            ], epoch: 1)
    }
    await #expect(throws: StoreError.staleEpoch(deployable: "other", epoch: 1, current: nil, holder: nil)) {
        try await store.append([StoredEvent(at: 1, deployable: "other", kind: "k", message: "m")], epoch: 1)
    }
    #expect(try await store.events().isEmpty)
    await store.close()
}

@Test(arguments: Backend.allCases) func membersAreListedWithTheirHeartbeatsAgeUntilTheyLeave(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.heartbeat(controller: "b", address: "10.0.0.2:8080")
    try await store.heartbeat(controller: "a", address: "10.0.0.1:8080")
    let first = try await store.members()
    try await store.heartbeat(controller: "a", address: "10.0.0.9:8080")
    let members = try await store.members()
    #expect(members.map(\.controller) == ["a", "b"])
    #expect(members.map(\.address) == ["10.0.0.9:8080", "10.0.0.2:8080"])
    #expect(members[0].startedAt == first[0].startedAt, "a heartbeat does not restart a member")
    #expect(members.allSatisfy { $0.heartbeatAge >= 0 && $0.heartbeatAge < 3600 })
    try await store.leave(controller: "b")
    #expect(try await store.members().map(\.controller) == ["a"])
    await store.close()
}

/// The cluster round's one read: the deployables started (desired running, still monitored, or not
/// yet stopped), from the deployable rows alone; stopped and failed ones and assembly rows are not.
@Test(arguments: Backend.allCases) func startedDeployablesAreReadInOneQuery(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.save([
        RuntimeStateRecord(deployable: "up", state: "running", detail: #"{"desired":"running"}"#, updatedAt: 1),
        RuntimeStateRecord(deployable: "going", state: "stopping", detail: #"{"desired":"stopped"}"#, updatedAt: 1),
        RuntimeStateRecord(deployable: "down", state: "stopped", detail: #"{"desired":"stopped"}"#, updatedAt: 1),
        RuntimeStateRecord(deployable: "broken", state: "failed", detail: #"{"desired":"stopped"}"#, updatedAt: 1),
        RuntimeStateRecord(deployable: "down", assembly: "web", state: "running", updatedAt: 1),
    ])
    #expect(try await store.startedDeployables() == ["going", "up"])
    await store.close()
}

/// A round's renewals in one transaction: the leases still the holder's under their epochs are
/// extended, the one taken over and the one never held come back as not renewed, and nothing of
/// the new holder's lease changes.
@Test(arguments: Backend.allCases) func aBatchRenewalExtendsWhatIsStillHeldAndNamesTheRest(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    let x = try await store.claim(deployable: "x", by: "a", leaseSeconds: 1)
    let y = try await store.claim(deployable: "y", by: "a", leaseSeconds: 1)
    try await store.release(deployable: "y", by: "a", epoch: y)
    let taken = try await store.claim(deployable: "y", by: "b", leaseSeconds: 5)
    let stale = try await store.renew(["x": x, "y": y, "z": 1], by: "a", leaseSeconds: 30)
    #expect(stale == ["y", "z"])
    let leases = Dictionary(uniqueKeysWithValues: try await store.leases().map { ($0.deployable, $0) })
    #expect(leases["x"]?.holder == "a" && (leases["x"]?.expiresIn ?? 0) > 20, "\(leases)")
    #expect(leases["y"]?.holder == "b" && leases["y"]?.epoch == taken && (leases["y"]?.expiresIn ?? 99) <= 5, "\(leases)")
    #expect(try await store.renew([:], by: "a", leaseSeconds: 30).isEmpty)
    await store.close()
}
