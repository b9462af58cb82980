import Logging
import PCloudModel
import PostgresNIO

/// Assembly commands on PostgreSQL: the same checks, in the same order, as the SQLite ones in
/// Store+Assemblies.
extension PostgresBackend {
    func assemblies() async throws -> [Assembly] {
        try await transaction(readOnly: true) { connection, logger in
            try await connection.strings("SELECT definition FROM assembly ORDER BY name", logger).map {
                try Store.decode(Assembly.self, $0)
            }
        }
    }

    func assembly(named name: String) async throws -> Assembly? {
        try await transaction(readOnly: true) { try await Self.assembly(named: name, $0, $1) }
    }

    func createAssembly(_ assembly: Assembly) async throws {
        try await transaction { connection, logger in
            if try await Self.assembly(named: assembly.name, connection, logger) != nil {
                throw StoreError.alreadyExists(kind: "assembly", name: assembly.name)
            }
            try await Self.insert(assembly, connection, logger)
            try await Self.recordAssemblyEvent(
                assembly.name, kind: Store.DefinitionEventKind.assemblyDefined,
                "assembly \(assembly.name) defined: \(assembly.resources.count) resources", connection, logger)
        }
    }

    func updateAssembly(named name: String, _ change: @Sendable (inout Assembly) throws -> Void) async throws {
        try await transaction { connection, logger in
            guard var assembly = try await Self.assembly(named: name, connection, logger) else {
                throw StoreError.notFound(kind: "assembly", name: name)
            }
            try change(&assembly)
            guard assembly.name == name else { throw StoreError.invalid("an assembly cannot be renamed in place") }
            try await Self.update(assembly, connection, logger)
            try await Self.recordAssemblyEvent(
                name, kind: Store.DefinitionEventKind.assemblyChanged,
                "assembly \(name) changed: \(assembly.resources.count) resources", connection, logger)
        }
    }

    func deleteAssembly(named name: String) async throws {
        try await transaction { connection, logger in
            guard try await Self.assembly(named: name, connection, logger) != nil else {
                throw StoreError.notFound(kind: "assembly", name: name)
            }
            let users = try await Self.deployables(using: name, connection, logger)
            guard users.isEmpty else { throw StoreError.assemblyInUse(assembly: name, deployables: users) }
            try await connection.execute("DELETE FROM assembly WHERE name = \(name)", logger)
            try await Self.recordAssemblyEvent(
                name, kind: Store.DefinitionEventKind.assemblyDeleted, "assembly \(name) deleted", connection, logger)
        }
    }

    func deployables(using assembly: String) async throws -> [String] {
        try await transaction(readOnly: true) { try await Self.deployables(using: assembly, $0, $1) }
    }

    static func deployables(using assembly: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> [String] {
        try await connection.strings(
            "SELECT deployable FROM deployableAssembly WHERE assembly = \(assembly) ORDER BY deployable", logger)
    }

    static func assembly(named name: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> Assembly? {
        try await connection.strings("SELECT definition FROM assembly WHERE name = \(name)", logger).first
            .map { try Store.decode(Assembly.self, $0) }
    }

    static func insert(_ assembly: Assembly, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let json = try Store.json(assembly)
        let now = Store.now
        try await connection.execute(
            "INSERT INTO assembly (name, definition, createdAt, updatedAt) VALUES (\(assembly.name), \(json), \(now), \(now))",
            logger)
    }

    static func update(_ assembly: Assembly, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let json = try Store.json(assembly)
        let now = Store.now
        try await connection.execute(
            "UPDATE assembly SET definition = \(json), updatedAt = \(now) WHERE name = \(assembly.name)", logger)
    }
}
