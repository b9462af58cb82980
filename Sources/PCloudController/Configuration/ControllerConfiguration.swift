import Foundation
import PCloudModel
import PCloudStore
import Yams

/// cped's settings, from /etc/pcloud/cped.yaml and flags.
///
/// ```yaml
/// socket: /run/pcloud/cped.sock        # the API's unix socket (mode 0600)
/// tcp: {host: 127.0.0.1, port: 8844, token-file: /etc/pcloud/api-token}   # optional; a token is required
///   # also idle-timeout: 30s (a connection that sends nothing, or never finishes its request, is
///   # closed after it) and max-connections: 256 (more TCP connections are closed at once)
/// store: /var/lib/pcloud/pcloud.sqlite   # or postgresql://USER@HOST[:PORT]/DB[?sslmode=verify-full&sslrootcert=FILE]
/// store-password-file: /etc/pcloud/store.password   # PostgreSQL only (else passfile= or PGPASSFILE)
/// definitions: /usr/share/pcloud       # holds Assemblies/ and Assemblies/templates/
/// log-level: info
/// broker:                              # optional: for the agent monitor method
///   host: 127.0.0.1
///   port: 5672
///   user: pcloud
///   password-file: /etc/pcloud/broker-controller.password
///   ca-file: /etc/pcloud/broker-ca.pem # optional: AMQPS
///   guest-host: 192.168.122.1          # optional: the broker as guests reach it
///   guest-port: 5672
///   users-command: /usr/share/pcloud/broker/pcloud-broker-users
/// ```
public struct ControllerConfiguration: Sendable, Equatable {
    public var socketPath = "/run/pcloud/cped.sock"
    public var tcp: TCPListener?
    /// A SQLite file or a `postgresql://` URL (`StoreLocation`).
    public var storePath = "/var/lib/pcloud/pcloud.sqlite"
    /// A file holding only the PostgreSQL store's password.
    public var storePasswordFile: String?
    public var definitionsPath = "/usr/share/pcloud"
    public var logLevel = "info"
    /// The controller's ssh key (ed25519, no passphrase): guests authorize its public half.
    public var sshKeyPath = "/var/lib/pcloud/ssh/id_ed25519"
    /// The AMQP broker the guest agents talk through (the `agent` monitor method).
    public var broker: Broker?

    public struct Broker: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String
        /// CA certificates (PEM) the broker's TLS certificate must chain to: AMQPS when set.
        public var caFile: String?
        /// The broker as guests reach it, when not at `host`/`port` (a loopback `host` is
        /// reached from QEMU user networking through its gateway, without this).
        public var guestHost: String?
        public var guestPort: Int?
        /// Makes each deployable's broker user: `COMMAND add-deployable NAME`, the password in
        /// PCLOUD_DEPLOYABLE_PASSWORD (broker/pcloud-broker-users, installed with the broker).
        public var usersCommand = "/usr/share/pcloud/broker/pcloud-broker-users"

        public init(host: String, port: Int, user: String, password: String, caFile: String? = nil) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.caFile = caFile
        }
    }

    public struct TCPListener: Sendable, Equatable {
        public var host: String
        public var port: Int
        /// The bearer token every TCP request must carry (read from token-file; never logged).
        public var token: String
        /// Where the token was read from (for the warning about a file others can read).
        public var tokenFile: String?
        /// A connection with no request in progress for this long is closed (it may be sending
        /// nothing, or half a header).
        public var idleTimeout: Duration = Self.defaultIdleTimeout
        /// Open TCP connections beyond this are closed as soon as they are accepted, so no TCP peer can
        /// use up cped's file descriptors (the unix socket stays reachable).
        public var maxConnections = Self.defaultMaxConnections

        public static let defaultIdleTimeout: Duration = .seconds(30)
        public static let defaultMaxConnections = 256
        public static let maxConnectionsRange = 1...65_536

        public init(host: String, port: Int, token: String) {
            self.host = host
            self.port = port
            self.token = token
        }

        /// An idle timeout from settings text; errors start with `at`.
        public static func idleTimeout(_ text: String, at: String) throws -> Duration {
            switch DurationText.read(text) {
            case .failure(let problem): throw ConfigurationError("\(at): \(DurationText.message(problem, text: text))")
            case .success(let duration):
                guard duration > .zero else { throw ConfigurationError("\(at): must be longer than 0s, got '\(text)'") }
                return duration
            }
        }

        /// A connection limit from settings text; errors start with `at`.
        public static func maxConnections(_ text: String, at: String) throws -> Int {
            guard let count = Int(text.trimmingCharacters(in: .whitespaces)), maxConnectionsRange.contains(count) else {
                throw ConfigurationError(
                    "\(at): expected a number of connections from \(maxConnectionsRange.lowerBound) to \(maxConnectionsRange.upperBound), got '\(NameRule.shown(text))'"
                )
            }
            return count
        }
    }

    public init() {}

    /// Reads `file`; errors name the file, line and field like definition errors do.
    public static func load(file: URL) throws -> ControllerConfiguration {
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw ConfigurationError("\(file.path): cannot read: \(error.localizedDescription)")
        }
        guard let root = try Yams.compose(yaml: text), case .mapping(let mapping) = root else {
            throw ConfigurationError("\(file.path): expected a mapping of settings")
        }
        var configuration = ControllerConfiguration()
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let at = "\(file.path):\(keyNode.mark?.line ?? 1):\(keyNode.mark?.column ?? 1): \(key)"
            switch key {
            case "socket": configuration.socketPath = try string(value, at)
            case "store":
                configuration.storePath = try string(value, at)
                do { _ = try StoreLocation(parsing: configuration.storePath) } catch { throw ConfigurationError("\(at): \(error)") }
            case "store-password-file": configuration.storePasswordFile = try string(value, at)
            case "definitions": configuration.definitionsPath = try string(value, at)
            case "log-level": configuration.logLevel = try string(value, at)
            case "ssh-key": configuration.sshKeyPath = try string(value, at)
            case "broker":
                let brokerKeys = [
                    "host", "port", "user", "password-file", "ca-file", "guest-host", "guest-port", "users-command",
                ]
                guard case .mapping(let broker) = value else {
                    throw ConfigurationError("\(at): expected {\(brokerKeys.joined(separator: ", "))}")
                }
                for (node, _) in broker {
                    guard let name = node.string, !brokerKeys.contains(name) else { continue }
                    throw ConfigurationError(
                        "\(file.path):\(node.mark?.line ?? 1):\(node.mark?.column ?? 1): broker.\(name): unknown setting\(DidYouMean.hint(for: name, among: brokerKeys))"
                    )
                }
                let host = try broker["host"].map { try string($0, "\(at).host") } ?? "127.0.0.1"
                let port = broker["port"]?.int ?? 5672
                let user = try broker["user"].map { try string($0, "\(at).user") } ?? "pcloud"
                guard let passwordFile = broker["password-file"]?.string else {
                    throw ConfigurationError("\(at).password-file: the broker needs credentials (a file holding the password)")
                }
                configuration.broker = Broker(
                    host: host, port: port, user: user, password: try Self.readSecret(passwordFile, at: "\(at).password-file"),
                    caFile: try broker["ca-file"].map { try string($0, "\(at).ca-file") })
                configuration.broker?.guestHost = try broker["guest-host"].map { try string($0, "\(at).guest-host") }
                configuration.broker?.guestPort = try broker["guest-port"].map { node in
                    guard let port = node.int, (1...65535).contains(port) else {
                        throw ConfigurationError("\(at).guest-port: expected a port number from 1 to 65535")
                    }
                    return port
                }
                if let command = broker["users-command"] {
                    configuration.broker?.usersCommand = try string(command, "\(at).users-command")
                }
            case "tcp":
                let tcpKeys = ["host", "port", "token-file", "idle-timeout", "max-connections"]
                guard case .mapping(let tcp) = value else {
                    throw ConfigurationError("\(at): expected {\(tcpKeys.joined(separator: ", "))}")
                }
                for (node, _) in tcp {
                    guard let name = node.string, !tcpKeys.contains(name) else { continue }
                    throw ConfigurationError(
                        "\(file.path):\(node.mark?.line ?? 1):\(node.mark?.column ?? 1): tcp.\(name): unknown setting\(DidYouMean.hint(for: name, among: tcpKeys))"
                    )
                }
                let host = try tcp["host"].map { try string($0, "\(at).host") } ?? "127.0.0.1"
                guard let port = tcp["port"]?.int, (1...65535).contains(port) else {
                    throw ConfigurationError("\(at).port: expected a port number from 1 to 65535")
                }
                guard let tokenFile = tcp["token-file"]?.string else {
                    throw ConfigurationError(
                        "\(at).token-file: a TCP listener needs a token file (any TCP client must present its token)")
                }
                let token = try Self.readToken(tokenFile, at: "\(at).token-file")
                var listener = TCPListener(host: host, port: port, token: token)
                listener.tokenFile = tokenFile
                if let node = tcp["idle-timeout"] {
                    listener.idleTimeout = try TCPListener.idleTimeout(try string(node, "\(at).idle-timeout"), at: "\(at).idle-timeout")
                }
                if let node = tcp["max-connections"] {
                    listener.maxConnections = try TCPListener.maxConnections(
                        try string(node, "\(at).max-connections"), at: "\(at).max-connections")
                }
                configuration.tcp = listener
            default:
                let known = ["socket", "tcp", "store", "store-password-file", "definitions", "log-level", "ssh-key", "broker"]
                throw ConfigurationError("\(at): unknown setting '\(key)'\(DidYouMean.hint(for: key, among: known))")
            }
        }
        return configuration
    }

    public static func readToken(_ path: String, at: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError("\(at): cannot read the token file \(path)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 16 else { throw ConfigurationError("\(at): the token in \(path) is shorter than 16 characters") }
        return token
    }

    /// A warning when `path` (a token or password file) can be read or written by its group or
    /// others, naming the file and its mode; nil when it is private to its owner. Never the secret.
    public static func permissionWarning(_ path: String) -> String? {
        guard let mode = (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int,
            mode & 0o077 != 0
        else { return nil }
        let shown = String(mode & 0o7777, radix: 8)
        return
            "\(path) can be read by users other than its owner (mode 0\(shown)): anyone who reads it can use the API; run chmod 600 \(path)"
    }

    /// A password from a file of its own (never from the settings file, never logged).
    public static func readSecret(_ path: String, at: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError("\(at): cannot read \(path)")
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else { throw ConfigurationError("\(at): \(path) is empty") }
        return secret
    }

    private static func string(_ node: Node, _ at: String) throws -> String {
        guard let text = node.string, !text.isEmpty else { throw ConfigurationError("\(at): expected a string") }
        return text
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

// Settings get printed (ServiceLifecycle logs its services at debug level, errors show values):
// the token and the broker password never are.
extension ControllerConfiguration.TCPListener: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        "TCPListener(host: \(host), port: \(port), token: <from \(tokenFile ?? "a file"), not shown>, "
            + "idleTimeout: \(DurationText.format(idleTimeout)), maxConnections: \(maxConnections))"
    }
    public var debugDescription: String { description }
}

extension ControllerConfiguration.Broker: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        "Broker(host: \(host), port: \(port), user: \(user), password: <not shown>, caFile: \(caFile ?? "none"), "
            + "guestHost: \(guestHost ?? "none"), guestPort: \(guestPort.map(String.init) ?? "none"), usersCommand: \(usersCommand))"
    }
    public var debugDescription: String { description }
}

extension ControllerConfiguration {
    /// The store, parsed (the password, if any, is read when it is opened).
    public func storeLocation() throws -> StoreLocation {
        try StoreLocation(parsing: storePath, passwordFile: storePasswordFile)
    }

    /// Where cped keeps its own files (the broker users it made): beside a SQLite store, else beside
    /// its ssh key's directory (/var/lib/pcloud by default).
    public var stateDirectory: URL {
        if (try? storeLocation())?.isSQLite ?? true { return URL(fileURLWithPath: storePath).deletingLastPathComponent() }
        return URL(fileURLWithPath: sshKeyPath).deletingLastPathComponent().deletingLastPathComponent()
    }
}
