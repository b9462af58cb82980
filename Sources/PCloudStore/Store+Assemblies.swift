import GRDB
import PCloudModel

extension Store {
    public func assemblies() throws -> [Assembly] {
        try database.read { try Self.assemblies($0) }
    }

    public func assembly(named name: String) throws -> Assembly? {
        try database.read { try Self.assembly(named: name, $0) }
    }

    public func createAssembly(_ assembly: Assembly) throws {
        try database.write { try Self.createAssembly(assembly, $0) }
    }

    /// Changes an assembly in one transaction; `change` may throw to refuse, leaving it as it was.
    public func updateAssembly(named name: String, _ change: (inout Assembly) throws -> Void) throws {
        try database.write { try Self.updateAssembly(named: name, change, $0) }
    }

    /// Deletes an assembly that no deployable lists (the original deleted it regardless).
    public func deleteAssembly(named name: String) throws {
        try database.write { try Self.deleteAssembly(named: name, $0) }
    }

    /// The deployables that list `assembly`.
    public func deployables(using assembly: String) throws -> [String] {
        try database.read { try Self.deployables(using: assembly, $0) }
    }

    static func assemblies(_ db: Database) throws -> [Assembly] {
        try String.fetchAll(db, sql: "SELECT definition FROM assembly ORDER BY name").map { try decode(Assembly.self, $0) }
    }

    static func createAssembly(_ assembly: Assembly, _ db: Database) throws {
        if try Self.assembly(named: assembly.name, db) != nil {
            throw StoreError.alreadyExists(kind: "assembly", name: assembly.name)
        }
        try insert(assembly, db)
        try recordAssemblyEvent(
            assembly.name, kind: DefinitionEventKind.assemblyDefined,
            "assembly \(assembly.name) defined: \(assembly.resources.count) resources", db)
    }

    static func updateAssembly(named name: String, _ change: (inout Assembly) throws -> Void, _ db: Database) throws {
        guard var assembly = try Self.assembly(named: name, db) else {
            throw StoreError.notFound(kind: "assembly", name: name)
        }
        try change(&assembly)
        guard assembly.name == name else { throw StoreError.invalid("an assembly cannot be renamed in place") }
        try db.execute(
            sql: "UPDATE assembly SET definition = ?, updatedAt = ? WHERE name = ?",
            arguments: [try json(assembly), now, name])
        try recordAssemblyEvent(
            name, kind: DefinitionEventKind.assemblyChanged, "assembly \(name) changed: \(assembly.resources.count) resources", db
        )
    }

    static func deleteAssembly(named name: String, _ db: Database) throws {
        guard try assembly(named: name, db) != nil else { throw StoreError.notFound(kind: "assembly", name: name) }
        let users = try deployables(using: name, db)
        guard users.isEmpty else { throw StoreError.assemblyInUse(assembly: name, deployables: users) }
        try db.execute(sql: "DELETE FROM assembly WHERE name = ?", arguments: [name])
        try recordAssemblyEvent(name, kind: DefinitionEventKind.assemblyDeleted, "assembly \(name) deleted", db)
    }

    static func deployables(using assembly: String, _ db: Database) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT deployable FROM deployableAssembly WHERE assembly = ? ORDER BY deployable",
            arguments: [assembly])
    }

    static func assembly(named name: String, _ db: Database) throws -> Assembly? {
        try String.fetchOne(db, sql: "SELECT definition FROM assembly WHERE name = ?", arguments: [name])
            .map { try decode(Assembly.self, $0) }
    }

    static func insert(_ assembly: Assembly, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO assembly (name, definition, createdAt, updatedAt) VALUES (?, ?, ?, ?)",
            arguments: [assembly.name, try json(assembly), now, now])
    }
}
