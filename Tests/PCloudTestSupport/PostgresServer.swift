import Foundation

/// A real PostgreSQL server (Debian's `postgresql` 15) for tests: `initdb` and `postgres` in a
/// temporary directory, listening on a free loopback port (password required, TLS offered with a
/// test CA's certificate) and on a unix socket in that directory (trusted). One server per test
/// process (`shared()`), a fresh database per test (`createDatabase()`); stopped by its PID when
/// the test process exits. Run as the `postgres` user when the tests run as root (initdb refuses root).
public final class PostgresServer: Sendable {
    public static let binaries = "/usr/lib/postgresql/15/bin"
    /// Why there can be no server here, or nil.
    public static var missing: String? {
        FileManager.default.isExecutableFile(atPath: "\(binaries)/initdb")
            ? nil : "PostgreSQL 15 is not installed (apt-get install -y postgresql; scripts/setup/postgresql.sh)"
    }

    public let directory: URL
    public let port: Int
    /// The superuser initdb made; its password is in `passwordFile`.
    public let user = "pcloud"
    public let passwordFile: String
    /// The CA that signed the server's certificate (for localhost and 127.0.0.1).
    public let certificates: TestCertificates
    /// The postmaster's PID.
    public let pid: Int32
    private let server: ManagedProcess
    /// How long initdb and start took, for the record.
    public let startSeconds: Double

    nonisolated(unsafe) private static var started: PostgresServer?
    private static let lock = NSLock()

    /// The server of this test process, started on first use.
    public static func shared() throws -> PostgresServer {
        lock.lock()
        defer { lock.unlock() }
        if let started { return started }
        let server = try PostgresServer()
        print(
            "PostgreSQL test server ready in \(String(format: "%.1f", server.startSeconds)) s (initdb + start) at \(server.directory.path)"
        )
        started = server
        stopAtExitPID = server.pid
        atexit { PostgresServer.stopAtExit() }
        return server
    }

    nonisolated(unsafe) private static var stopAtExitPID: Int32 = 0

    private static func stopAtExit() {
        guard stopAtExitPID > 0 else { return }
        kill(stopAtExitPID, SIGINT)  // "fast" shutdown: roll back open transactions, close, exit
        for _ in 0..<500 where kill(stopAtExitPID, 0) == 0 { usleep(20_000) }
    }

    private init() throws {
        let began = Date()
        directory = URL(fileURLWithPath: "/tmp/pcloud-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = freeLocalPort()
        certificates = try TestCertificates()
        passwordFile = directory.appendingPathComponent("password").path
        try "pcloud-\(UUID().uuidString)\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("data").path
        let asPostgres = getuid() == 0
        if asPostgres { try Self.giveToPostgres(directory.path) }
        try Self.run(
            asPostgres, "initdb",
            [
                "-D", data, "-U", user, "--pwfile", passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256",
                "-E", "UTF8", "--no-locale", "--no-sync",
            ])
        for (name, target) in [("server.pem", "server.crt"), ("server.key", "server.key")] {
            let to = "\(data)/\(target)"
            try FileManager.default.copyItem(atPath: certificates.path(name), toPath: to)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: to)
            if asPostgres { try Self.giveToPostgres(to) }
        }
        // In the foreground, as this process's child (pg_ctl's daemonised server left Foundation's
        // waitUntilExit waiting forever); ready when pg_isready says so.
        let arguments = [
            "-D", data, "-c", "listen_addresses=127.0.0.1", "-p", "\(port)", "-k", directory.path, "-c", "fsync=off",
            "-c", "ssl=on", "-c", "ssl_cert_file=server.crt", "-c", "ssl_key_file=server.key", "-c", "max_connections=200",
        ]
        server =
            asPostgres
            ? try ManagedProcess(
                "postgres", executable: "/usr/sbin/runuser",
                arguments: ["-u", "postgres", "--", "\(Self.binaries)/postgres"] + arguments)
            : try ManagedProcess("postgres", executable: "\(Self.binaries)/postgres", arguments: arguments)
        let socketDirectory = directory.path
        let port = port
        let ready = waitUntil(timeout: 60) {
            (try? runCommand("\(Self.binaries)/pg_isready", ["-q", "-h", socketDirectory, "-p", "\(port)"]))?.status == 0
        }
        guard ready, let pidText = try? String(contentsOfFile: "\(data)/postmaster.pid", encoding: .utf8),
            let pid = pidText.split(separator: "\n").first.flatMap({ Int32($0) })
        else {
            throw ControllerError("PostgreSQL did not start: \(server.logText().suffix(2000))")
        }
        self.pid = pid
        startSeconds = Date().timeIntervalSince(began)
    }

    private static func giveToPostgres(_ path: String) throws {
        try FileManager.default.setAttributes(
            [.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"], ofItemAtPath: path)
    }

    private static func run(_ asPostgres: Bool, _ tool: String, _ arguments: [String]) throws {
        let (status, output) =
            asPostgres
            ? try runCommand("/usr/sbin/runuser", ["-u", "postgres", "--", "\(binaries)/\(tool)"] + arguments)
            : try runCommand("\(binaries)/\(tool)", arguments)
        guard status == 0 else { throw ControllerError("\(tool) failed (\(status)): \(output)") }
    }

    /// Runs SQL as the superuser over the unix socket.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        let (status, output) = try runCommand(
            "\(Self.binaries)/psql",
            ["-X", "-q", "-At", "-h", directory.path, "-p", "\(port)", "-U", user, "-d", database, "-c", sql])
        guard status == 0 else { throw ControllerError("psql failed (\(status)): \(output)") }
        return output
    }

    /// A new, empty database for one test; its name.
    public func createDatabase() throws -> String {
        let name = "t_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        try psql("CREATE DATABASE \(name)")
        return name
    }

    /// The database over TCP on 127.0.0.1 (needs the password file).
    public func tcpURL(_ database: String, query: String = "") -> String {
        "postgresql://\(user)@127.0.0.1:\(port)/\(database)\(query.isEmpty ? "" : "?\(query)")"
    }

    /// The database over the unix socket (trusted, no password).
    public func socketURL(_ database: String) -> String {
        "postgresql://\(user)@\(directory.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""):\(port)/\(database)"
    }
}
