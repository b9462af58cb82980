import Foundation
import Logging
import PostgresNIO

/// The shared store: a PostgreSQL database through postgres-nio's connection pool. Each command is
/// one SERIALIZABLE transaction on one pooled connection, retried when the server reports a
/// serialization conflict with another controller, so two writers see what SQLite's single writer
/// would have given them.
final class PostgresBackend: StoreBackend {
    let client: PostgresClient
    let logger: Logger
    let location: PostgresLocation
    private let runner: Task<Void, Never>

    private init(client: PostgresClient, location: PostgresLocation, logger: Logger) {
        self.client = client
        self.location = location
        self.logger = logger
        runner = Task { await client.run() }
    }

    /// Connects once (so a wrong address, password or TLS setting is reported now, not at the first
    /// command), migrates, then serves commands from the pool. The pool starts running first, so it
    /// is running when the first command leases a connection.
    static func open(_ location: PostgresLocation, logger: Logger) async throws -> PostgresBackend {
        let backend = PostgresBackend(
            client: PostgresClient(configuration: try location.clientConfiguration(), backgroundLogger: logger),
            location: location, logger: logger)
        do {
            try await migrate(location, logger: logger)
        } catch {
            await backend.close()
            throw error
        }
        return backend
    }

    private static func migrate(_ location: PostgresLocation, logger: Logger) async throws {
        let first: PostgresConnection
        do {
            first = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration(), id: 0, logger: logger)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.unavailable("cannot connect to \(location): \(PostgresFailure.describe(error))")
        }
        do {
            try await PostgresMigrator.migrate(first, logger: logger)
            try await first.close()
        } catch {
            try? await first.close()
            throw PostgresFailure.storeError(error, doing: "migrating \(location)")
        }
    }

    /// Runs `body` as one transaction: committed when it returns, rolled back when it throws (a
    /// `StoreError` is rethrown as it is). A killed process's open transaction is rolled back by
    /// the server when its connection drops.
    func transaction<Result: Sendable>(
        readOnly: Bool = false, _ body: @Sendable (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        let logger = self.logger
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    try await connection.query(
                        readOnly ? "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY" : "BEGIN ISOLATION LEVEL SERIALIZABLE",
                        logger: logger)
                    do {
                        let result = try await body(connection, logger)
                        try await connection.query("COMMIT", logger: logger)
                        return result
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch let error as StoreError {
                throw error
            } catch  where PostgresFailure.isSerializationConflict(error) && attempt < 20 {
                continue
            } catch {
                throw PostgresFailure.storeError(error, doing: "a store command on \(location)")
            }
        }
    }

    func appliedMigrations() async throws -> [String] {
        try await transaction(readOnly: true) { connection, logger in
            try await connection.strings("SELECT identifier FROM pcloud_migrations ORDER BY appliedAt, identifier", logger)
        }
    }

    func close() async {
        runner.cancel()
        _ = await runner.value
    }
}

extension PostgresConnection {
    /// The first column of every row, as text.
    func strings(_ query: PostgresQuery, _ logger: Logger) async throws -> [String] {
        var result: [String] = []
        for try await value in try await self.query(query, logger: logger).decode(String.self) { result.append(value) }
        return result
    }

    /// Runs a statement whose rows (if any) are not needed.
    func execute(_ query: PostgresQuery, _ logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}
