import PCloudModel

/// The store's API for async callers (the controller, pcloudsh), on every backend: the same commands
/// as the blocking API, each one transaction, run off Swift's cooperative threads by the backend.
extension Store {
    public func appliedMigrations() async throws -> [String] { try await backend.appliedMigrations() }

    public func assemblies() async throws -> [Assembly] { try await backend.assemblies() }
    public func assembly(named name: String) async throws -> Assembly? { try await backend.assembly(named: name) }
    public func createAssembly(_ assembly: Assembly) async throws { try await backend.createAssembly(assembly) }

    /// Changes an assembly in one transaction; `change` may throw to refuse, leaving it as it was.
    public func updateAssembly(named name: String, _ change: @Sendable (inout Assembly) throws -> Void) async throws {
        try await backend.updateAssembly(named: name, change)
    }

    public func deleteAssembly(named name: String) async throws { try await backend.deleteAssembly(named: name) }
    public func deployables(using assembly: String) async throws -> [String] { try await backend.deployables(using: assembly) }

    public func deployableSummaries() async throws -> [DeployableSummary] { try await backend.deployableSummaries() }
    public func deployable(named name: String) async throws -> Deployable? { try await backend.deployable(named: name) }

    @discardableResult
    public func createDeployable(_ deployable: Deployable) async throws -> Deployable {
        try await backend.createDeployable(deployable)
    }

    @discardableResult
    public func importDeployable(_ deployable: Deployable, replace: Bool = false) async throws -> Deployable {
        try await backend.importDeployable(deployable, replace: replace)
    }

    public func deleteDeployable(named name: String) async throws { try await backend.deleteDeployable(named: name) }
    public func addAssembly(_ assembly: String, to deployable: String) async throws {
        try await backend.addAssembly(assembly, to: deployable)
    }

    public func removeAssembly(_ assembly: String, from deployable: String) async throws {
        try await backend.removeAssembly(assembly, from: deployable)
    }

    @discardableResult
    public func append(_ events: [StoredEvent]) async throws -> [StoredEvent] { try await backend.append(events, epoch: nil) }

    public func events(after seq: Int64 = 0, deployable: String? = nil, limit: Int = 1000) async throws -> [StoredEvent] {
        try await backend.events(after: seq, deployable: deployable, limit: limit)
    }

    /// The newest event of one deployable.
    public func lastEvent(deployable: String) async throws -> StoredEvent? { try await backend.lastEvent(deployable: deployable) }
    /// The highest sequence number stored (0 for none): where a follower of new events starts.
    public func lastEventSeq() async throws -> Int64 { try await backend.lastEventSeq() }
    public func lastEventAsync(deployable: String) async throws -> StoredEvent? { try await lastEvent(deployable: deployable) }
    public func lastEventSeqAsync() async throws -> Int64 { try await lastEventSeq() }

    public func record(_ failures: [FailureRecord]) async throws { try await backend.record(failures, epoch: nil) }
    public func failures(deployable: String) async throws -> [FailureRecord] {
        try await backend.failures(deployable: deployable)
    }

    public func clearFailures(deployable: String, assembly: String, resource: String) async throws {
        try await backend.clearFailures(deployable: deployable, assembly: assembly, resource: resource, epoch: nil)
    }

    public func save(_ states: [RuntimeStateRecord]) async throws { try await backend.save(states, epoch: nil) }
    /// Every deployable whose stored runtime says it is started or stopping (one read: the cluster
    /// round asks it every time).
    public func startedDeployables() async throws -> [String] { try await backend.startedDeployables() }

    public func states(deployable: String) async throws -> [RuntimeStateRecord] {
        try await backend.states(deployable: deployable)
    }

    // The controller's names for the same commands.
    public func appendAsync(_ events: [StoredEvent]) async throws -> [StoredEvent] { try await append(events) }

    public func eventsAsync(after seq: Int64 = 0, deployable: String? = nil, limit: Int = 1000) async throws -> [StoredEvent] {
        try await events(after: seq, deployable: deployable, limit: limit)
    }

    public func deployableAsync(named name: String) async throws -> Deployable? { try await deployable(named: name) }
    public func deployableSummariesAsync() async throws -> [DeployableSummary] { try await deployableSummaries() }
    public func recordAsync(_ failures: [FailureRecord]) async throws { try await record(failures) }
    public func failuresAsync(deployable: String) async throws -> [FailureRecord] { try await failures(deployable: deployable) }
    public func saveAsync(_ states: [RuntimeStateRecord]) async throws { try await save(states) }
    public func statesAsync(deployable: String) async throws -> [RuntimeStateRecord] { try await states(deployable: deployable) }

    public func clearFailuresAsync(deployable: String, assembly: String, resource: String) async throws {
        try await clearFailures(deployable: deployable, assembly: assembly, resource: resource)
    }
}
