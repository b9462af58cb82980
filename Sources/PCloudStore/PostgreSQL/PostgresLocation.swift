import Foundation

/// A PostgreSQL database as named by a `postgresql://` URL, in libpq's terms: a host is a name or
/// address (TCP) or an absolute directory holding the server's socket (`%2Fvar%2Frun%2Fpostgresql`
/// or `?host=/var/run/postgresql`).
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The socket is `directory/.s.PGSQL.port`, as libpq names it.
        case socket(directory: String, port: Int)
    }

    /// libpq's `sslmode` values that pcloud supports.
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var user: String
    public var database: String
    public var endpoint: Endpoint
    public var tls: TLSMode
    /// CA certificates (PEM) for verify-ca and verify-full (`sslrootcert=`); the system's otherwise.
    public var rootCertificates: String?
    /// A file holding only the password (`--store-password-file`).
    public var passwordFile: String?
    /// A pgpass file (`passfile=`, else `$PGPASSFILE`, else ~/.pgpass when it exists).
    public var pgpassFile: String?

    static let parameters = ["sslmode", "host", "port", "passfile", "sslrootcert"]

    init(parsing rest: String, passwordFile: String?, environment: [String: String]) throws {
        var rest = Substring(rest)
        var query: [String: String] = [:]
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                let key = String(parts[0])
                let value = parts.count == 2 ? try Self.decoded(parts[1], field: key) : ""
                if key == "password" {
                    throw StoreError.invalid(Self.noPasswords)
                }
                guard Self.parameters.contains(key) else {
                    throw StoreError.invalid(
                        "store URL: unknown parameter '\(key)' (known: \(Self.parameters.joined(separator: ", ")))")
                }
                query[key] = value
            }
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw StoreError.invalid("store URL: database: missing (postgresql://USER@HOST[:PORT]/DB)")
        }
        database = try Self.decoded(rest[rest.index(after: slash)...], field: "database")
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError.invalid("store URL: database: missing (postgresql://USER@HOST[:PORT]/DB)")
        }
        var authority = rest[..<slash]
        guard let at = authority.lastIndex(of: "@") else {
            throw StoreError.invalid("store URL: user: missing (postgresql://USER@HOST[:PORT]/DB)")
        }
        let userInfo = authority[..<at]
        if userInfo.contains(":") { throw StoreError.invalid(Self.noPasswords) }
        user = try Self.decoded(userInfo, field: "user")
        guard !user.isEmpty else { throw StoreError.invalid("store URL: user: missing (postgresql://USER@HOST[:PORT]/DB)") }
        authority = authority[authority.index(after: at)...]

        var host: String
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw StoreError.invalid("store URL: host: unclosed '[' in an IPv6 address")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw StoreError.invalid("store URL: host: unexpected '\(after)' after ']'") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = try Self.decoded(authority[..<colon], field: "host")
            portText = authority[authority.index(after: colon)...]
        } else {
            host = try Self.decoded(authority, field: "host")
        }
        if let fromQuery = query["host"] { host = fromQuery }
        if let fromQuery = query["port"] { portText = Substring(fromQuery) }
        var port = 5432
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw StoreError.invalid("store URL: port: '\(portText)' is not a port number (1-65535)")
            }
            port = number
        }
        if host.isEmpty { host = "/var/run/postgresql" }  // libpq's default: Debian's socket directory
        let isLocal: Bool
        if host.hasPrefix("/") {
            endpoint = .socket(directory: host, port: port)
            isLocal = true
        } else {
            guard !host.contains("/") else {
                throw StoreError.invalid("store URL: host: '\(host)' is neither a name nor an absolute socket directory")
            }
            endpoint = .tcp(host: host, port: port)
            isLocal = ["localhost", "127.0.0.1", "::1"].contains(host) || host.hasPrefix("127.")
        }
        var tls = TLSMode.disable
        if let mode = query["sslmode"] {
            guard let parsed = TLSMode(rawValue: mode) else {
                throw StoreError.invalid(
                    "store URL: sslmode: '\(mode)' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            tls = parsed
        } else {
            tls = isLocal ? .disable : .prefer
        }
        if isLocal && host.hasPrefix("/"), tls != .disable, tls != .prefer {
            throw StoreError.invalid("store URL: sslmode: '\(tls.rawValue)' needs a TCP host; a unix socket is not encrypted")
        }
        self.tls = tls
        rootCertificates = query["sslrootcert"]
        self.passwordFile = passwordFile
        let home = environment["HOME"].map { "\($0)/.pgpass" }
        pgpassFile =
            query["passfile"] ?? environment["PGPASSFILE"]
            ?? home.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
    }

    static let noPasswords =
        "store URL: password: a password is never given in the URL (it would show in ps and in logs); put it in a file and pass --store-password-file FILE (store-password-file: in cped.yaml), passfile= or PGPASSFILE"

    static func decoded(_ text: Substring, field: String) throws -> String {
        guard let decoded = text.removingPercentEncoding else {
            throw StoreError.invalid("store URL: \(field): bad percent-encoding in '\(text)'")
        }
        return decoded
    }

    /// The URL again (it never holds a password), with the TLS mode spelled out.
    public var description: String {
        let encode = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? text }
        switch endpoint {
        case .tcp(let host, let port):
            let shown = host.contains(":") ? "[\(host)]" : host
            return "postgresql://\(encode(user))@\(shown):\(port)/\(encode(database))?sslmode=\(tls.rawValue)"
        case .socket(let directory, let port):
            return "postgresql://\(encode(user))@/\(encode(database))?host=\(directory)&port=\(port)"
        }
    }
}
