import Logging
import PostgresNIO

/// As Store+DefinitionEvents: every definition change records its event in its own transaction.
extension PostgresBackend {
    static func recordDeployableEvent(
        _ deployable: String, assembly: String? = nil, kind: String, _ message: String, _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws {
        _ = try await append(
            [StoredEvent(at: Store.now, deployable: deployable, assembly: assembly, kind: kind, message: message)], connection,
            logger)
    }

    static func recordAssemblyEvent(
        _ assembly: String, kind: String, _ message: String, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        let users = try await deployables(using: assembly, connection, logger)
        _ = try await append(
            (users.isEmpty ? [""] : users).map {
                StoredEvent(at: Store.now, deployable: $0, assembly: assembly, kind: kind, message: message)
            }, connection, logger)
    }
}
