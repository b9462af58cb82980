import Logging
import PostgresNIO

/// Events, failure history and runtime state on PostgreSQL.
extension PostgresBackend {
    /// pg_advisory_xact_lock key that orders appends ("events" in ASCII): numbers are handed out and
    /// committed in the same order, so a reader that has seen N never misses a later-committed N-1.
    static let appendLock: Int64 = 0x6576_656e_7473

    func append(_ events: [StoredEvent], epoch: Int64?) async throws -> [StoredEvent] {
        try await transaction { connection, logger in
            try await Self.fence(events.map(\.deployable), epoch: epoch, connection, logger)
            return try await Self.append(events, connection, logger)
        }
    }

    static func append(_ events: [StoredEvent], _ connection: PostgresConnection, _ logger: Logger) async throws -> [StoredEvent]
    {
        try await connection.execute("SELECT pg_advisory_xact_lock(\(Self.appendLock))", logger)
        var stored: [StoredEvent] = []
        for event in events {
            let rows = try await connection.query(
                """
                INSERT INTO event (at, deployable, assembly, resource, kind, severity, message, data)
                VALUES (\(event.at), \(event.deployable), \(event.assembly), \(event.resource), \(event.kind),
                \(event.severity.rawValue), \(event.message), \(event.data)) RETURNING seq
                """, logger: logger)
            var copy = event
            for try await seq in rows.decode(Int64.self) { copy.seq = seq }
            stored.append(copy)
        }
        return stored
    }

    func lastEvent(deployable: String) async throws -> StoredEvent? {
        try await events(after: 0, deployable: deployable, limit: Int.max, newestOnly: true).first
    }

    func lastEventSeq() async throws -> Int64 {
        try await transaction(readOnly: true) { connection, logger in
            var seq: Int64 = 0
            for try await value in try await connection.query("SELECT COALESCE(MAX(seq), 0) FROM event", logger: logger)
                .decode(Int64.self)
            {
                seq = value
            }
            return seq
        }
    }

    func events(after seq: Int64, deployable: String?, limit: Int) async throws -> [StoredEvent] {
        try await events(after: seq, deployable: deployable, limit: limit, newestOnly: false)
    }

    private func events(after seq: Int64, deployable: String?, limit: Int, newestOnly: Bool) async throws -> [StoredEvent] {
        try await transaction(readOnly: true) { connection, logger in
            let query: PostgresQuery =
                newestOnly
                ? """
                SELECT seq, at, deployable, assembly, resource, kind, severity, message, data FROM event
                WHERE deployable = \(deployable ?? "") ORDER BY seq DESC LIMIT 1
                """
                : """
                SELECT seq, at, deployable, assembly, resource, kind, severity, message, data FROM event
                WHERE seq > \(seq) AND (CAST(\(deployable) AS text) IS NULL OR deployable = \(deployable))
                ORDER BY seq LIMIT \(limit)
                """
            let rows = try await connection.query(query, logger: logger)
            var events: [StoredEvent] = []
            for try await (seq, at, deployable, assembly, resource, kind, severity, message, data) in rows.decode(
                (Int64, Double, String, String?, String?, String, String, String, String?).self)
            {
                events.append(
                    StoredEvent(
                        seq: seq, at: at, deployable: deployable, assembly: assembly, resource: resource, kind: kind,
                        severity: StoredEvent.Severity(rawValue: severity) ?? .info, message: message, data: data))
            }
            return events
        }
    }

    func record(_ failures: [FailureRecord], epoch: Int64?) async throws {
        try await transaction { connection, logger in
            try await Self.fence(failures.map(\.deployable), epoch: epoch, connection, logger)
            for failure in failures {
                try await connection.execute(
                    """
                    INSERT INTO failure (deployable, assembly, resource, at, reason)
                    VALUES (\(failure.deployable), \(failure.assembly), \(failure.resource), \(failure.at), \(failure.reason))
                    """, logger)
            }
        }
    }

    func failures(deployable: String) async throws -> [FailureRecord] {
        try await transaction(readOnly: true) { connection, logger in
            let rows = try await connection.query(
                "SELECT deployable, assembly, resource, at, reason FROM failure WHERE deployable = \(deployable) ORDER BY at, id",
                logger: logger)
            var failures: [FailureRecord] = []
            for try await (deployable, assembly, resource, at, reason) in rows.decode(
                (String, String, String, Double, String).self)
            {
                failures.append(
                    FailureRecord(deployable: deployable, assembly: assembly, resource: resource, at: at, reason: reason))
            }
            return failures
        }
    }

    func clearFailures(deployable: String, assembly: String, resource: String, epoch: Int64?) async throws {
        try await transaction { connection, logger in
            try await Self.fence([deployable], epoch: epoch, connection, logger)
            try await connection.execute(
                "DELETE FROM failure WHERE deployable = \(deployable) AND assembly = \(assembly) AND resource = \(resource)",
                logger)
        }
    }

    func save(_ states: [RuntimeStateRecord], epoch: Int64?) async throws {
        try await transaction { connection, logger in
            try await Self.fence(states.map(\.deployable), epoch: epoch, connection, logger)
            for state in states {
                try await connection.execute(
                    """
                    INSERT INTO runtimeState (deployable, assembly, resource, state, detail, updatedAt)
                    VALUES (\(state.deployable), \(state.assembly), \(state.resource), \(state.state), \(state.detail), \(state.updatedAt))
                    ON CONFLICT (deployable, assembly, resource) DO UPDATE SET state = excluded.state, detail = excluded.detail,
                    updatedAt = excluded.updatedAt
                    """, logger)
            }
        }
    }

    func states(deployable: String) async throws -> [RuntimeStateRecord] {
        try await transaction(readOnly: true) { try await Self.states(deployable: deployable, $0, $1) }
    }

    static func states(
        deployable: String, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [RuntimeStateRecord] {
        let rows = try await connection.query(
            """
            SELECT deployable, assembly, resource, state, detail, updatedAt FROM runtimeState
            WHERE deployable = \(deployable) ORDER BY assembly, resource
            """, logger: logger)
        var states: [RuntimeStateRecord] = []
        for try await (deployable, assembly, resource, state, detail, updatedAt) in rows.decode(
            (String, String, String, String, String?, Double).self)
        {
            states.append(
                RuntimeStateRecord(
                    deployable: deployable, assembly: assembly, resource: resource, state: state, detail: detail,
                    updatedAt: updatedAt))
        }
        return states
    }

    /// As `Store.startedState(of:)`: the state of a deployable whose stored runtime says it is started.
    func startedDeployables() async throws -> [String] {
        try await transaction(readOnly: true) { connection, logger in
            let rows = try await connection.query(
                "SELECT deployable, state, detail FROM runtimeState WHERE assembly = '' AND resource = '' ORDER BY deployable",
                logger: logger)
            var started: [String] = []
            for try await (deployable, state, detail) in rows.decode((String, String, String?).self)
            where Store.startedState(state: state, detail: detail) != nil {
                started.append(deployable)
            }
            return started
        }
    }

    static func startedState(of deployable: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> String? {
        try await states(deployable: deployable, connection, logger)
            .first { $0.assembly == "" && $0.resource == "" }
            .flatMap { Store.startedState(state: $0.state, detail: $0.detail) }
    }
}
