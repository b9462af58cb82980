import Foundation
import GRDB
import PCloudModel

/// A deployable as listed: its settings and the names of its assemblies.
public struct DeployableSummary: Sendable, Equatable, Codable {
    public var name: String
    public var uuid: UUID
    public var infrastructure: String
    public var monitor: String
    public var assemblies: [String]
}

extension Store {
    public func deployableSummaries() throws -> [DeployableSummary] {
        try database.read { try Self.summaries($0) }
    }

    static func summaries(_ db: Database) throws -> [DeployableSummary] {
        try String.fetchAll(db, sql: "SELECT name FROM deployable ORDER BY name").compactMap { name in
            guard let deployable = try Self.deployable(named: name, db), let uuid = deployable.uuid else { return nil }
            return DeployableSummary(
                name: name, uuid: uuid, infrastructure: deployable.infrastructure.kind,
                monitor: deployable.monitor.method.rawValue,
                assemblies: deployable.assemblies.map(\.name))
        }
    }

    /// The deployable with its assemblies resolved, in order.
    public func deployable(named name: String) throws -> Deployable? {
        try database.read { try Self.deployable(named: name, $0) }
    }

    /// Creates an empty deployable (assemblies are added with `addAssembly`). A uuid is generated when absent.
    @discardableResult
    public func createDeployable(_ deployable: Deployable) throws -> Deployable {
        try database.write { try Self.createDeployable(deployable, $0) }
    }

    /// Stores a whole deployable and its assemblies in one transaction. Assemblies that already exist
    /// must be identical unless `replace` is set; with `replace` an existing deployable of that name
    /// is replaced. On any error nothing is written.
    @discardableResult
    public func importDeployable(_ deployable: Deployable, replace: Bool = false) throws -> Deployable {
        try database.write { try Self.importDeployable(deployable, replace: replace, $0) }
    }

    /// Deletes a deployable (its assemblies stay, as in the original), its runtime state and failure
    /// history; its events stay as history. Refused (`StoreError.started`) while its stored runtime
    /// says it is started or stopping: its guests and resources would run on with nobody watching.
    public func deleteDeployable(named name: String) throws {
        try database.write { try Self.deleteDeployable(named: name, $0) }
    }

    public func addAssembly(_ assembly: String, to deployable: String) throws {
        try database.write { try Self.addAssembly(assembly, to: deployable, $0) }
    }

    public func removeAssembly(_ assembly: String, from deployable: String) throws {
        try database.write { try Self.removeAssembly(assembly, from: deployable, $0) }
    }

    static func deployable(named name: String, _ db: Database) throws -> Deployable? {
        guard let text = try String.fetchOne(db, sql: "SELECT definition FROM deployable WHERE name = ?", arguments: [name])
        else {
            return nil
        }
        var deployable = try decode(Deployable.self, text)
        let names = try String.fetchAll(
            db, sql: "SELECT assembly FROM deployableAssembly WHERE deployable = ? ORDER BY position",
            arguments: [name])
        deployable.assemblies = try names.compactMap { try assembly(named: $0, db) }
        return deployable
    }

    static func insertDeployable(_ deployable: Deployable, _ db: Database) throws {
        var settings = deployable
        settings.assemblies = []
        try db.execute(
            sql: "INSERT INTO deployable (name, uuid, definition, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?)",
            arguments: [deployable.name, deployable.uuid!.uuidString.lowercased(), try json(settings), now, now])
    }

    static func createDeployable(_ deployable: Deployable, _ db: Database) throws -> Deployable {
        var deployable = deployable
        deployable.assemblies = []
        if deployable.uuid == nil { deployable.uuid = UUID() }
        if try Self.deployable(named: deployable.name, db) != nil {
            throw StoreError.alreadyExists(kind: "deployable", name: deployable.name)
        }
        try Self.insertDeployable(deployable, db)
        try recordDeployableEvent(
            deployable.name, kind: DefinitionEventKind.deployableDefined,
            "deployable \(deployable.name) defined: 0 assemblies, 0 resources", db)
        return deployable
    }

    static func importDeployable(_ deployable: Deployable, replace: Bool, _ db: Database) throws -> Deployable {
        var deployable = deployable
        let existing = try Self.deployable(named: deployable.name, db)
        if let existing {
            guard replace else { throw StoreError.alreadyExists(kind: "deployable", name: deployable.name) }
            if deployable.uuid == nil { deployable.uuid = existing.uuid }
            try db.execute(sql: "DELETE FROM deployable WHERE name = ?", arguments: [deployable.name])
        }
        if deployable.uuid == nil { deployable.uuid = UUID() }
        for (position, assembly) in deployable.assemblies.enumerated() {
            if let stored = try Self.assembly(named: assembly.name, db) {
                if stored != assembly {
                    guard replace else {
                        throw StoreError.invalid(
                            "assembly '\(assembly.name)' already exists with a different definition; use --replace to overwrite it"
                        )
                    }
                    try db.execute(
                        sql: "UPDATE assembly SET definition = ?, updatedAt = ? WHERE name = ?",
                        arguments: [try Self.json(assembly), Self.now, assembly.name])
                }
            } else {
                try Self.insert(assembly, db)
            }
            if position == 0 { Self.pauseMidWriteIfAsked() }
        }
        try Self.insertDeployable(deployable, db)
        for (position, assembly) in deployable.assemblies.enumerated() {
            try db.execute(
                sql: "INSERT INTO deployableAssembly (deployable, assembly, position) VALUES (?, ?, ?)",
                arguments: [deployable.name, assembly.name, position])
        }
        try recordDeployableEvent(
            deployable.name, kind: DefinitionEventKind.deployableDefined, definedMessage(deployable, redefined: existing != nil),
            db)
        return deployable
    }

    static func deleteDeployable(named name: String, _ db: Database) throws {
        guard try Self.deployable(named: name, db) != nil else { throw StoreError.notFound(kind: "deployable", name: name) }
        if let state = try Self.startedState(of: name, db) { throw StoreError.started(deployable: name, state: state) }
        try db.execute(sql: "DELETE FROM deployable WHERE name = ?", arguments: [name])
        try db.execute(sql: "DELETE FROM runtimeState WHERE deployable = ?", arguments: [name])
        try db.execute(sql: "DELETE FROM failure WHERE deployable = ?", arguments: [name])
        try recordDeployableEvent(name, kind: DefinitionEventKind.deployableDeleted, "deployable \(name) deleted", db)
    }

    static func addAssembly(_ assembly: String, to deployable: String, _ db: Database) throws {
        guard let current = try Self.deployable(named: deployable, db) else {
            throw StoreError.notFound(kind: "deployable", name: deployable)
        }
        guard try Self.assembly(named: assembly, db) != nil else {
            throw StoreError.notFound(kind: "assembly", name: assembly)
        }
        if current.assembly(named: assembly) != nil {
            throw StoreError.alreadyMember(assembly: assembly, deployable: deployable)
        }
        try db.execute(
            sql: "INSERT INTO deployableAssembly (deployable, assembly, position) VALUES (?, ?, ?)",
            arguments: [deployable, assembly, current.assemblies.count])
        try recordDeployableEvent(
            deployable, assembly: assembly, kind: DefinitionEventKind.deployableChanged,
            "assembly \(assembly) added to deployable \(deployable)", db)
    }

    static func removeAssembly(_ assembly: String, from deployable: String, _ db: Database) throws {
        let current = try Self.deployable(named: deployable, db)
        try MembershipRules.checkRemoval(of: assembly, from: current, named: deployable)
        try db.execute(
            sql: "DELETE FROM deployableAssembly WHERE deployable = ? AND assembly = ?", arguments: [deployable, assembly])
        try recordDeployableEvent(
            deployable, assembly: assembly, kind: DefinitionEventKind.deployableChanged,
            "assembly \(assembly) removed from deployable \(deployable)", db)
    }
}
