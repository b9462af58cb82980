import GRDB

/// Fenced writes: an engine's writes carry the epoch of the lease it acts under, and the store
/// refuses (`StoreError.staleEpoch`, in the same transaction, nothing written) a write whose epoch is
/// not the current one of that deployable's lease. A nil epoch is today's single-controller write,
/// unchecked. A fenced batch writes for one deployable: its epoch means nothing for another.
extension Store {
    @discardableResult
    public func append(_ events: [StoredEvent], epoch: Int64?) async throws -> [StoredEvent] {
        try await backend.append(events, epoch: epoch)
    }

    public func record(_ failures: [FailureRecord], epoch: Int64?) async throws {
        try await backend.record(failures, epoch: epoch)
    }

    public func save(_ states: [RuntimeStateRecord], epoch: Int64?) async throws {
        try await backend.save(states, epoch: epoch)
    }

    public func clearFailures(deployable: String, assembly: String, resource: String, epoch: Int64?) async throws {
        try await backend.clearFailures(deployable: deployable, assembly: assembly, resource: resource, epoch: epoch)
    }

    /// The deployable whose lease a batch is fenced by: nil for an unfenced or empty batch.
    static func fencedDeployable(_ deployables: [String], epoch: Int64?) throws -> String? {
        guard epoch != nil else { return nil }
        let distinct = Set(deployables)
        guard distinct.count <= 1 else {
            throw StoreError.invalid("a write fenced by a lease epoch is for one deployable, not \(distinct.sorted())")
        }
        return distinct.first
    }

    /// SQLite: refuses the transaction's write unless `epoch` is current (see `fencedDeployable`).
    static func fence(_ deployables: [String], epoch: Int64?, _ db: Database) throws {
        guard let epoch, let deployable = try fencedDeployable(deployables, epoch: epoch) else { return }
        try checkEpoch(epoch, of: deployable, db)
    }
}
