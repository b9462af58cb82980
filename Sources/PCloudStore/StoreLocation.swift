import Foundation

/// Where the store is: a SQLite file (a path) or a PostgreSQL database
/// (`postgresql://USER@HOST[:PORT]/DB[?sslmode=…&host=/socket/dir&passfile=…&sslrootcert=…]`).
/// A password is never part of a location: it is read from a file when the store is opened.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// Parses `text` as given to `--store`, `store:` or `$PCLOUD_STORE`. `passwordFile` holds only the
    /// PostgreSQL password (`--store-password-file`); without it `passfile=` or `$PGPASSFILE` (the
    /// pgpass format) is used. Errors name the part of the URL that is wrong.
    public init(
        parsing text: String, passwordFile: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        let lowered = text.lowercased()
        guard let scheme = ["postgresql://", "postgres://"].first(where: { lowered.hasPrefix($0) }) else {
            if let range = text.range(of: "://") {
                throw StoreError.invalid(
                    "store: unknown scheme '\(text[..<range.lowerBound])': give a SQLite file path or postgresql://USER@HOST[:PORT]/DB"
                )
            }
            guard passwordFile == nil else {
                throw StoreError.invalid("store: a password file is only for a postgresql:// store")
            }
            self = .sqlite(path: text)
            return
        }
        self = .postgres(
            try PostgresLocation(
                parsing: String(text.dropFirst(scheme.count)), passwordFile: passwordFile, environment: environment))
    }

    /// Safe to log: a location never holds a password.
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let location): return location.description
        }
    }

    /// True when the store is a SQLite file (the embedded default).
    public var isSQLite: Bool { if case .sqlite = self { true } else { false } }
}
