import PCloudModel

/// What a store does, whatever holds it: SQLite (embedded, the default) or PostgreSQL (shared by
/// several controllers). Every call is one transaction: it happens whole or not at all, and a
/// refused call (`StoreError`) leaves the store as it was. Both backends run the same migrations
/// (`Schema`) and pass the same conformance suite (Tests/PCloudStoreTests).
protocol StoreBackend: Sendable {
    func appliedMigrations() async throws -> [String]

    func assemblies() async throws -> [Assembly]
    func assembly(named name: String) async throws -> Assembly?
    func createAssembly(_ assembly: Assembly) async throws
    func updateAssembly(named name: String, _ change: @Sendable (inout Assembly) throws -> Void) async throws
    func deleteAssembly(named name: String) async throws
    func deployables(using assembly: String) async throws -> [String]

    func deployableSummaries() async throws -> [DeployableSummary]
    func deployable(named name: String) async throws -> Deployable?
    func createDeployable(_ deployable: Deployable) async throws -> Deployable
    func importDeployable(_ deployable: Deployable, replace: Bool) async throws -> Deployable
    func deleteDeployable(named name: String) async throws
    func addAssembly(_ assembly: String, to deployable: String) async throws
    func removeAssembly(_ assembly: String, from deployable: String) async throws

    func append(_ events: [StoredEvent], epoch: Int64?) async throws -> [StoredEvent]
    func events(after seq: Int64, deployable: String?, limit: Int) async throws -> [StoredEvent]
    func lastEvent(deployable: String) async throws -> StoredEvent?
    func lastEventSeq() async throws -> Int64

    func record(_ failures: [FailureRecord], epoch: Int64?) async throws
    func failures(deployable: String) async throws -> [FailureRecord]
    func clearFailures(deployable: String, assembly: String, resource: String, epoch: Int64?) async throws
    func save(_ states: [RuntimeStateRecord], epoch: Int64?) async throws
    func states(deployable: String) async throws -> [RuntimeStateRecord]
    func startedDeployables() async throws -> [String]

    // Writes with an epoch are fenced by that deployable's lease (Store+Fencing).

    func heartbeat(controller: String, address: String) async throws
    func leave(controller: String) async throws
    func members() async throws -> [ClusterMember]
    func claim(deployable: String, by holder: String, leaseSeconds: Double) async throws -> Int64
    func renew(deployable: String, by holder: String, epoch: Int64, leaseSeconds: Double) async throws
    func renew(_ leases: [String: Int64], by holder: String, leaseSeconds: Double) async throws -> Set<String>
    func release(deployable: String, by holder: String, epoch: Int64) async throws
    func leases() async throws -> [DeployableLease]

    /// Closes connections; the store is not used afterwards.
    func close() async
}
