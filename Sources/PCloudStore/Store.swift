import Foundation
import GRDB
import PCloudModel

/// pcloud's persistent state in one SQLite file (WAL): definitions, runtime state, failure history and
/// events. Every public command is one transaction: it happens whole or not at all, even if the
/// process is killed half-way.
public final class Store: Sendable {
    let database: any DatabaseWriter

    /// Opens (creating and migrating as needed) the store at `path`.
    public init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        database = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(database)
    }

    /// A private in-memory store, for tests of pure logic built on the store.
    public init() throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        database = try DatabaseQueue(configuration: configuration)
        try Schema.migrator.migrate(database)
    }

    /// The default location: `$PCLOUD_STORE`, else /var/lib/pcloud/pcloud.sqlite.
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
