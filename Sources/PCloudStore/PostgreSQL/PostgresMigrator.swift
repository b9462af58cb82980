import Foundation
import Logging
import PostgresNIO

/// Applies `Schema.postgres` in order, each migration in its own transaction under an advisory lock,
/// so controllers starting together migrate once and never see half a schema.
enum PostgresMigrator {
    /// pg_advisory_xact_lock key for migrations ("pcloud" in ASCII).
    static let lock: Int64 = 0x7063_6c6f_7564

    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        for migration in Schema.postgres {
            try await connection.execute("BEGIN", logger)
            do {
                try await connection.execute("SELECT pg_advisory_xact_lock(\(lock))", logger)
                try await connection.execute(
                    "CREATE TABLE IF NOT EXISTS pcloud_migrations (identifier text PRIMARY KEY, appliedAt double precision NOT NULL)",
                    logger)
                let applied = try await connection.strings(
                    "SELECT identifier FROM pcloud_migrations WHERE identifier = \(migration.identifier)", logger)
                if applied.isEmpty {
                    for statement in migration.statements {
                        try await connection.execute(PostgresQuery(unsafeSQL: statement), logger)
                    }
                    try await connection.execute(
                        "INSERT INTO pcloud_migrations (identifier, appliedAt) VALUES (\(migration.identifier), \(Date().timeIntervalSince1970))",
                        logger)
                }
                try await connection.execute("COMMIT", logger)
            } catch {
                try? await connection.execute("ROLLBACK", logger)
                throw error
            }
        }
    }
}
