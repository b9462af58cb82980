import Foundation
import Logging
import PCloudModel
import PostgresNIO

/// Deployable commands on PostgreSQL: the same checks, in the same order, as the SQLite ones in
/// Store+Deployables.
extension PostgresBackend {
    func deployableSummaries() async throws -> [DeployableSummary] {
        try await transaction(readOnly: true) { connection, logger in
            var summaries: [DeployableSummary] = []
            for name in try await connection.strings("SELECT name FROM deployable ORDER BY name", logger) {
                guard let deployable = try await Self.deployable(named: name, connection, logger), let uuid = deployable.uuid
                else { continue }
                summaries.append(
                    DeployableSummary(
                        name: name, uuid: uuid, infrastructure: deployable.infrastructure.kind,
                        monitor: deployable.monitor.method.rawValue, assemblies: deployable.assemblies.map(\.name)))
            }
            return summaries
        }
    }

    func deployable(named name: String) async throws -> Deployable? {
        try await transaction(readOnly: true) { try await Self.deployable(named: name, $0, $1) }
    }

    func createDeployable(_ deployable: Deployable) async throws -> Deployable {
        try await transaction { connection, logger in
            var deployable = deployable
            deployable.assemblies = []
            if deployable.uuid == nil { deployable.uuid = UUID() }
            if try await Self.deployable(named: deployable.name, connection, logger) != nil {
                throw StoreError.alreadyExists(kind: "deployable", name: deployable.name)
            }
            try await Self.insertDeployable(deployable, connection, logger)
            try await Self.recordDeployableEvent(
                deployable.name, kind: Store.DefinitionEventKind.deployableDefined,
                "deployable \(deployable.name) defined: 0 assemblies, 0 resources", connection, logger)
            return deployable
        }
    }

    func importDeployable(_ deployable: Deployable, replace: Bool) async throws -> Deployable {
        try await transaction { connection, logger in
            var deployable = deployable
            let existing = try await Self.deployable(named: deployable.name, connection, logger)
            if let existing {
                guard replace else { throw StoreError.alreadyExists(kind: "deployable", name: deployable.name) }
                if deployable.uuid == nil { deployable.uuid = existing.uuid }
                try await connection.execute("DELETE FROM deployable WHERE name = \(deployable.name)", logger)
            }
            if deployable.uuid == nil { deployable.uuid = UUID() }
            for (position, assembly) in deployable.assemblies.enumerated() {
                if let stored = try await Self.assembly(named: assembly.name, connection, logger) {
                    if stored != assembly {
                        guard replace else {
                            throw StoreError.invalid(
                                "assembly '\(assembly.name)' already exists with a different definition; use --replace to overwrite it"
                            )
                        }
                        try await Self.update(assembly, connection, logger)
                    }
                } else {
                    try await Self.insert(assembly, connection, logger)
                }
                if position == 0 { Store.pauseMidWriteIfAsked() }
            }
            try await Self.insertDeployable(deployable, connection, logger)
            for (position, assembly) in deployable.assemblies.enumerated() {
                try await connection.execute(
                    "INSERT INTO deployableAssembly (deployable, assembly, position) VALUES (\(deployable.name), \(assembly.name), \(position))",
                    logger)
            }
            try await Self.recordDeployableEvent(
                deployable.name, kind: Store.DefinitionEventKind.deployableDefined,
                Store.definedMessage(deployable, redefined: existing != nil), connection, logger)
            return deployable
        }
    }

    func deleteDeployable(named name: String) async throws {
        try await transaction { connection, logger in
            guard try await Self.deployable(named: name, connection, logger) != nil else {
                throw StoreError.notFound(kind: "deployable", name: name)
            }
            if let state = try await Self.startedState(of: name, connection, logger) {
                throw StoreError.started(deployable: name, state: state)
            }
            try await connection.execute("DELETE FROM deployable WHERE name = \(name)", logger)
            try await connection.execute("DELETE FROM runtimeState WHERE deployable = \(name)", logger)
            try await connection.execute("DELETE FROM failure WHERE deployable = \(name)", logger)
            try await Self.recordDeployableEvent(
                name, kind: Store.DefinitionEventKind.deployableDeleted, "deployable \(name) deleted", connection, logger)
        }
    }

    func addAssembly(_ assembly: String, to deployable: String) async throws {
        try await transaction { connection, logger in
            guard let current = try await Self.deployable(named: deployable, connection, logger) else {
                throw StoreError.notFound(kind: "deployable", name: deployable)
            }
            guard try await Self.assembly(named: assembly, connection, logger) != nil else {
                throw StoreError.notFound(kind: "assembly", name: assembly)
            }
            if current.assembly(named: assembly) != nil {
                throw StoreError.alreadyMember(assembly: assembly, deployable: deployable)
            }
            try await connection.execute(
                "INSERT INTO deployableAssembly (deployable, assembly, position) VALUES (\(deployable), \(assembly), \(current.assemblies.count))",
                logger)
            try await Self.recordDeployableEvent(
                deployable, assembly: assembly, kind: Store.DefinitionEventKind.deployableChanged,
                "assembly \(assembly) added to deployable \(deployable)", connection, logger)
        }
    }

    func removeAssembly(_ assembly: String, from deployable: String) async throws {
        try await transaction { connection, logger in
            let current = try await Self.deployable(named: deployable, connection, logger)
            try MembershipRules.checkRemoval(of: assembly, from: current, named: deployable)
            try await connection.execute(
                "DELETE FROM deployableAssembly WHERE deployable = \(deployable) AND assembly = \(assembly)", logger)
            try await Self.recordDeployableEvent(
                deployable, assembly: assembly, kind: Store.DefinitionEventKind.deployableChanged,
                "assembly \(assembly) removed from deployable \(deployable)", connection, logger)
        }
    }

    static func deployable(named name: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> Deployable? {
        guard let text = try await connection.strings("SELECT definition FROM deployable WHERE name = \(name)", logger).first
        else { return nil }
        var deployable = try Store.decode(Deployable.self, text)
        let names = try await connection.strings(
            "SELECT assembly FROM deployableAssembly WHERE deployable = \(name) ORDER BY position", logger)
        var assemblies: [Assembly] = []
        for name in names {
            if let assembly = try await assembly(named: name, connection, logger) { assemblies.append(assembly) }
        }
        deployable.assemblies = assemblies
        return deployable
    }

    static func insertDeployable(_ deployable: Deployable, _ connection: PostgresConnection, _ logger: Logger) async throws {
        var settings = deployable
        settings.assemblies = []
        let json = try Store.json(settings)
        let now = Store.now
        let uuid = deployable.uuid!.uuidString.lowercased()
        try await connection.execute(
            "INSERT INTO deployable (name, uuid, definition, createdAt, updatedAt) VALUES (\(deployable.name), \(uuid), \(json), \(now), \(now))",
            logger)
    }
}
