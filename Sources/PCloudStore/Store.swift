import Foundation
import GRDB
import Logging
import PCloudModel

/// pcloud's persistent state: definitions, runtime state, failure history and events, in one SQLite
/// file (WAL, the embedded default) or in PostgreSQL (`StoreLocation`). Every public command is one
/// transaction: it happens whole or not at all, even if the process is killed half-way.
///
/// The async API (Store+Async) works on every backend. The blocking API (the same names without
/// `await`) is the embedded SQLite store's, for tools and tests that open a file; on another
/// backend it throws instead of blocking a thread on the network.
public final class Store: Sendable {
    let backend: any StoreBackend

    /// The SQLite database behind the blocking API.
    var database: any DatabaseWriter {
        get throws {
            guard let sqlite = backend as? SQLiteBackend else {
                throw StoreError.invalid("this store is on PostgreSQL: use the store's async API")
            }
            return sqlite.database
        }
    }

    /// Opens (creating and migrating as needed) the SQLite store at `path`.
    public init(path: String) throws {
        backend = try SQLiteBackend(path: path)
    }

    /// A private in-memory SQLite store, for tests of pure logic built on the store.
    public init() throws {
        backend = try SQLiteBackend()
    }

    /// Opens (migrating as needed) the store at `location`: a SQLite file, or a PostgreSQL database
    /// (connecting, with TLS when the location asks for it; the password is read from its file).
    public init(location: StoreLocation, logger: Logger = Logger(label: "pcloud.store")) async throws {
        switch location {
        case .sqlite(let path): backend = try SQLiteBackend(path: path)
        case .postgres(let postgres): backend = try await PostgresBackend.open(postgres, logger: logger)
        }
    }

    /// Closes the store's connections (a no-op for SQLite, whose file closes with the last reference).
    public func close() async { await backend.close() }

    /// The default location: `$PCLOUD_STORE` (a path or a `postgresql://` URL), else /var/lib/pcloud/pcloud.sqlite.
    public static var defaultPath: String {
        ProcessInfo.processInfo.environment["PCLOUD_STORE"] ?? "/var/lib/pcloud/pcloud.sqlite"
    }

    /// Applied migrations, oldest first (for `pcloudsh` diagnostics and tests).
    public func appliedMigrations() throws -> [String] {
        try database.read { try Schema.migrator.appliedMigrations($0) }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    static var now: Double { Date().timeIntervalSince1970 }

    /// Test hook for crash-safety tests: with PCLOUD_STORE_PAUSE_MID_WRITE set, a multi-row write stops
    /// half-way (inside its transaction) and waits to be killed.
    static func pauseMidWriteIfAsked() {
        guard ProcessInfo.processInfo.environment["PCLOUD_STORE_PAUSE_MID_WRITE"] != nil else { return }
        FileHandle.standardError.write(Data("paused mid-write\n".utf8))
        while true { sleep(60) }
    }
}
