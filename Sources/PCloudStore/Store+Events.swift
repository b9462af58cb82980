import GRDB

/// One recorded event. `seq` increases monotonically and is never reused, so a client that has seen
/// event N asks for everything after N and misses nothing.
public struct StoredEvent: Sendable, Equatable, Codable {
    public enum Severity: String, Sendable, Codable { case info, warning, error }
    public var seq: Int64
    /// Seconds since 1970.
    public var at: Double
    public var deployable: String
    public var assembly: String?
    public var resource: String?
    /// Machine-readable kind, e.g. `resource.failed`, `assembly.restarting`.
    public var kind: String
    public var severity: Severity
    /// The sentence a person reads.
    public var message: String
    /// Extra structured detail as JSON text.
    public var data: String?

    public init(
        seq: Int64 = 0, at: Double, deployable: String, assembly: String? = nil, resource: String? = nil,
        kind: String, severity: Severity = .info, message: String, data: String? = nil
    ) {
        self.seq = seq
        self.at = at
        self.deployable = deployable
        self.assembly = assembly
        self.resource = resource
        self.kind = kind
        self.severity = severity
        self.message = message
        self.data = data
    }
}

extension Store {
    /// Appends events in one transaction and returns them with their sequence numbers.
    @discardableResult
    public func append(_ events: [StoredEvent]) throws -> [StoredEvent] {
        try database.write { try Self.append(events, $0) }
    }

    static func append(_ events: [StoredEvent], _ db: Database) throws -> [StoredEvent] {
        try events.map { event in
            try db.execute(
                sql: """
                    INSERT INTO event (at, deployable, assembly, resource, kind, severity, message, data)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    event.at, event.deployable, event.assembly, event.resource, event.kind,
                    event.severity.rawValue, event.message, event.data,
                ])
            var stored = event
            stored.seq = db.lastInsertedRowID
            return stored
        }
    }

    /// Events after `seq`, oldest first, optionally for one deployable.
    public func events(after seq: Int64 = 0, deployable: String? = nil, limit: Int = 1000) throws -> [StoredEvent] {
        try database.read { try Self.events($0, after: seq, deployable: deployable, limit: limit) }
    }

    /// The newest event of one deployable, in one indexed lookup: the index on `deployable` orders
    /// its entries by rowid (`seq`), so SQLite reads the last entry of that range and stops.
    public func lastEvent(deployable: String) throws -> StoredEvent? {
        try database.read { try Self.lastEvent(deployable: deployable, $0) }
    }

    static func lastEvent(deployable: String, _ db: Database) throws -> StoredEvent? {
        try Row.fetchOne(db, sql: "\(Self.eventColumns) WHERE deployable = ? ORDER BY seq DESC LIMIT 1", arguments: [deployable])
            .map(Self.event)
    }

    /// The highest sequence number stored (0 for none): where a follower of new events starts.
    public func lastEventSeq() throws -> Int64 {
        try database.read { try Self.lastEventSeq($0) }
    }

    static func lastEventSeq(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM event") ?? 0
    }

    static let eventColumns = "SELECT seq, at, deployable, assembly, resource, kind, severity, message, data FROM event"

    static func event(_ row: Row) -> StoredEvent {
        StoredEvent(
            seq: row["seq"], at: row["at"], deployable: row["deployable"], assembly: row["assembly"],
            resource: row["resource"], kind: row["kind"],
            severity: StoredEvent.Severity(rawValue: row["severity"]) ?? .info,
            message: row["message"], data: row["data"])
    }

    static func events(_ db: Database, after seq: Int64, deployable: String?, limit: Int) throws -> [StoredEvent] {
        var sql = "\(eventColumns) WHERE seq > ?"
        var arguments: StatementArguments = [seq]
        if let deployable {
            sql += " AND deployable = ?"
            arguments += [deployable]
        }
        sql += " ORDER BY seq LIMIT ?"
        arguments += [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map(event)
    }
}
