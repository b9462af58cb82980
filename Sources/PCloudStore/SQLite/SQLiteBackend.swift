import Foundation
import GRDB
import PCloudModel

/// The embedded store: one SQLite file in WAL mode through GRDB. The SQL lives with each command in
/// Store+Deployables, Store+Assemblies, Store+Runtime and Store+Events, shared by the blocking API;
/// here it runs on GRDB's own queues so the controller never blocks a cooperative thread.
final class SQLiteBackend: StoreBackend {
    let database: any DatabaseWriter

    init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        database = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(database)
    }

    /// A private in-memory database.
    init() throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        database = try DatabaseQueue(configuration: configuration)
        try Schema.migrator.migrate(database)
    }

    func appliedMigrations() async throws -> [String] {
        try await database.read { try Schema.migrator.appliedMigrations($0) }
    }

    func assemblies() async throws -> [Assembly] { try await database.read { try Store.assemblies($0) } }

    func assembly(named name: String) async throws -> Assembly? {
        try await database.read { try Store.assembly(named: name, $0) }
    }

    func createAssembly(_ assembly: Assembly) async throws {
        try await database.write { try Store.createAssembly(assembly, $0) }
    }

    func updateAssembly(named name: String, _ change: @Sendable (inout Assembly) throws -> Void) async throws {
        try await database.write { try Store.updateAssembly(named: name, change, $0) }
    }

    func deleteAssembly(named name: String) async throws {
        try await database.write { try Store.deleteAssembly(named: name, $0) }
    }

    func deployables(using assembly: String) async throws -> [String] {
        try await database.read { try Store.deployables(using: assembly, $0) }
    }

    func deployableSummaries() async throws -> [DeployableSummary] { try await database.read { try Store.summaries($0) } }

    func deployable(named name: String) async throws -> Deployable? {
        try await database.read { try Store.deployable(named: name, $0) }
    }

    func createDeployable(_ deployable: Deployable) async throws -> Deployable {
        try await database.write { try Store.createDeployable(deployable, $0) }
    }

    func importDeployable(_ deployable: Deployable, replace: Bool) async throws -> Deployable {
        try await database.write { try Store.importDeployable(deployable, replace: replace, $0) }
    }

    func deleteDeployable(named name: String) async throws {
        try await database.write { try Store.deleteDeployable(named: name, $0) }
    }

    func addAssembly(_ assembly: String, to deployable: String) async throws {
        try await database.write { try Store.addAssembly(assembly, to: deployable, $0) }
    }

    func removeAssembly(_ assembly: String, from deployable: String) async throws {
        try await database.write { try Store.removeAssembly(assembly, from: deployable, $0) }
    }

    func append(_ events: [StoredEvent], epoch: Int64?) async throws -> [StoredEvent] {
        try await database.write {
            try Store.fence(events.map(\.deployable), epoch: epoch, $0)
            return try Store.append(events, $0)
        }
    }

    func events(after seq: Int64, deployable: String?, limit: Int) async throws -> [StoredEvent] {
        try await database.read { try Store.events($0, after: seq, deployable: deployable, limit: limit) }
    }

    func lastEvent(deployable: String) async throws -> StoredEvent? {
        try await database.read { try Store.lastEvent(deployable: deployable, $0) }
    }

    func lastEventSeq() async throws -> Int64 { try await database.read { try Store.lastEventSeq($0) } }

    func record(_ failures: [FailureRecord], epoch: Int64?) async throws {
        try await database.write {
            try Store.fence(failures.map(\.deployable), epoch: epoch, $0)
            try Store.record(failures, $0)
        }
    }

    func failures(deployable: String) async throws -> [FailureRecord] {
        try await database.read { try Store.failures(deployable: deployable, $0) }
    }

    func clearFailures(deployable: String, assembly: String, resource: String, epoch: Int64?) async throws {
        try await database.write {
            try Store.fence([deployable], epoch: epoch, $0)
            try Store.clearFailures(deployable: deployable, assembly: assembly, resource: resource, $0)
        }
    }

    func save(_ states: [RuntimeStateRecord], epoch: Int64?) async throws {
        try await database.write {
            try Store.fence(states.map(\.deployable), epoch: epoch, $0)
            try Store.save(states, $0)
        }
    }

    func states(deployable: String) async throws -> [RuntimeStateRecord] {
        try await database.read { try Store.states(deployable: deployable, $0) }
    }

    func startedDeployables() async throws -> [String] {
        try await database.read { try Store.startedDeployables($0) }
    }

    func heartbeat(controller: String, address: String) async throws {
        try await database.write { try Store.heartbeat(controller: controller, address: address, $0) }
    }

    func leave(controller: String) async throws { try await database.write { try Store.leave(controller: controller, $0) } }

    func members() async throws -> [ClusterMember] { try await database.read { try Store.members($0) } }

    func claim(deployable: String, by holder: String, leaseSeconds: Double) async throws -> Int64 {
        try await database.write { try Store.claim(deployable: deployable, by: holder, leaseSeconds: leaseSeconds, $0) }
    }

    func renew(deployable: String, by holder: String, epoch: Int64, leaseSeconds: Double) async throws {
        try await database.write {
            try Store.renew(deployable: deployable, by: holder, epoch: epoch, leaseSeconds: leaseSeconds, $0)
        }
    }

    func renew(_ leases: [String: Int64], by holder: String, leaseSeconds: Double) async throws -> Set<String> {
        try await database.write { db in
            var stale: Set<String> = []
            for (deployable, epoch) in leases {
                do {
                    try Store.renew(deployable: deployable, by: holder, epoch: epoch, leaseSeconds: leaseSeconds, db)
                } catch StoreError.staleEpoch {
                    stale.insert(deployable)
                }
            }
            return stale
        }
    }

    func release(deployable: String, by holder: String, epoch: Int64) async throws {
        try await database.write { try Store.release(deployable: deployable, by: holder, epoch: epoch, $0) }
    }

    func leases() async throws -> [DeployableLease] { try await database.read { try Store.leases($0) } }

    func close() async {}
}
