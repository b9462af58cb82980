import GRDB
import PCloudModel

/// The store's operations for the controller, which runs on Swift's cooperative pool: these run the
/// SQLite work on GRDB's own queues instead of blocking a cooperative thread.
extension Store {
    public func appendAsync(_ events: [StoredEvent]) async throws -> [StoredEvent] {
        try await database.write { try Self.append(events, $0) }
    }

    public func eventsAsync(after seq: Int64 = 0, deployable: String? = nil, limit: Int = 1000) async throws -> [StoredEvent] {
        try await database.read { try Self.events($0, after: seq, deployable: deployable, limit: limit) }
    }

    public func lastEventAsync(deployable: String) async throws -> StoredEvent? {
        try await database.read { try Self.lastEvent(deployable: deployable, $0) }
    }

    public func lastEventSeqAsync() async throws -> Int64 {
        try await database.read { try Self.lastEventSeq($0) }
    }

    public func deployableAsync(named name: String) async throws -> Deployable? {
        try await database.read { try Self.deployable(named: name, $0) }
    }

    public func deployableSummariesAsync() async throws -> [DeployableSummary] {
        try await database.read { try Self.summaries($0) }
    }

    public func recordAsync(_ failures: [FailureRecord]) async throws {
        try await database.write { try Self.record(failures, $0) }
    }

    public func failuresAsync(deployable: String) async throws -> [FailureRecord] {
        try await database.read { try Self.failures(deployable: deployable, $0) }
    }

    public func saveAsync(_ states: [RuntimeStateRecord]) async throws {
        try await database.write { try Self.save(states, $0) }
    }

    public func statesAsync(deployable: String) async throws -> [RuntimeStateRecord] {
        try await database.read { try Self.states(deployable: deployable, $0) }
    }

    public func clearFailuresAsync(deployable: String, assembly: String, resource: String) async throws {
        try await database.write { try Self.clearFailures(deployable: deployable, assembly: assembly, resource: resource, $0) }
    }
}
