import Foundation

/// A private RabbitMQ (with the AMQP 1.0 plugin) for one test: its own node name, ports, Erlang
/// cookie, epmd, data and log directories, configured from the repo's broker/ files. Started by
/// the test, stopped by PID (the server, then its epmd), and its directory removed.
public final class BrokerProcess: @unchecked Sendable {
    public static let serverExecutable = "/usr/lib/rabbitmq/bin/rabbitmq-server"
    public static let ctlExecutable = "/usr/lib/rabbitmq/bin/rabbitmqctl"
    public static let epmdExecutable = "/usr/bin/epmd"

    public let port: UInt16
    public let directory: URL
    public let environment: [String: String]
    /// The controller user's password (user `pcloud`), made by `pcloud-broker-users init`.
    public let controllerPassword: String
    /// Seconds from start until the AMQP port accepted connections.
    public let startupSeconds: Double
    private let epmd: ManagedProcess
    private var server: ManagedProcess

    /// Why no broker can run here, or nil.
    public static var missing: String? {
        missingPrerequisite(executables: [serverExecutable, ctlExecutable, epmdExecutable])
    }

    /// `extraConfig` is appended to the repo's rabbitmq.conf (e.g. a TLS listener).
    public init(extraConfig: String = "") throws {
        directory = URL(fileURLWithPath: "/tmp/pcloud-broker-\(UUID().uuidString.prefix(8))")
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let broker = BuiltProducts.packageRoot.appendingPathComponent("broker")
        port = try Self.freePort()
        let distPort = try Self.freePort()
        let epmdPort = try Self.freePort()
        let conf =
            try String(contentsOf: broker.appendingPathComponent("rabbitmq.conf"), encoding: .utf8)
            .replacingOccurrences(of: "127.0.0.1:5672", with: "127.0.0.1:\(port)") + "\n" + extraConfig + "\n"
        try conf.write(to: directory.appendingPathComponent("rabbitmq.conf"), atomically: true, encoding: .utf8)
        try fm.copyItem(
            at: broker.appendingPathComponent("enabled_plugins"), to: directory.appendingPathComponent("enabled_plugins"))
        let node = "pcloud-\(port)@localhost"
        var env = ProcessInfo.processInfo.environment
        env.merge([
            "HOME": directory.path,  // the Erlang cookie lives here: private to this broker
            "ERL_EPMD_PORT": String(epmdPort),
            "RABBITMQ_NODENAME": node,
            "RABBITMQ_NODE_PORT": String(port),
            "RABBITMQ_DIST_PORT": String(distPort),
            "RABBITMQ_CONFIG_FILE": directory.appendingPathComponent("rabbitmq.conf").path,
            "RABBITMQ_ADVANCED_CONFIG_FILE": directory.appendingPathComponent("advanced.config").path,
            "RABBITMQ_CONF_ENV_FILE": directory.appendingPathComponent("rabbitmq-env.conf").path,
            "RABBITMQ_ENABLED_PLUGINS_FILE": directory.appendingPathComponent("enabled_plugins").path,
            "RABBITMQ_MNESIA_BASE": directory.appendingPathComponent("mnesia").path,
            "RABBITMQ_LOG_BASE": directory.appendingPathComponent("log").path,
            "RABBITMQ_PLUGINS_EXPAND_DIR": directory.appendingPathComponent("plugins-expand").path,
            "RABBITMQ_PID_FILE": directory.appendingPathComponent("rabbitmq.pid").path,
        ]) { $1 }
        environment = env
        let epmd = try ManagedProcess(
            "epmd", executable: Self.epmdExecutable, arguments: ["-port", String(epmdPort)],
            environment: env)
        self.epmd = epmd
        let started = Date()
        let server = try ManagedProcess(
            "rabbitmq", executable: Self.serverExecutable, environment: env)
        self.server = server
        let port = port
        guard waitUntil(timeout: 180, { portIsOpen("127.0.0.1", port) || !server.isRunning }), server.isRunning else {
            let log = server.logText()
            server.stop(grace: 10)
            epmd.stop()
            throw ControllerError("rabbitmq-server did not start: \(log.suffix(3000))")
        }
        // The listener opens a moment before the rabbit app counts as running; rabbitmqctl
        // commands need the latter.
        let booted = try runCommand(Self.ctlExecutable, ["await_startup", "--timeout", "120"], environment: env)
        guard booted.status == 0 else {
            server.stop(grace: 10)
            epmd.stop()
            throw ControllerError("rabbitmq-server did not finish booting: \(booted.output)")
        }
        startupSeconds = Date().timeIntervalSince(started)
        let passwordFile = directory.appendingPathComponent("controller.password").path
        do {
            try Self.users(["init", passwordFile], environment: env)
            controllerPassword = try String(contentsOfFile: passwordFile, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            server.stop(grace: 10)  // deinit does not run for a failed init: stop what was started
            epmd.stop()
            throw error
        }
    }

    /// Runs the repo's `broker/pcloud-broker-users` against this broker.
    @discardableResult
    static func users(_ arguments: [String], environment: [String: String]) throws -> String {
        var env = environment
        env["RABBITMQCTL"] = ctlExecutable
        let script = BuiltProducts.packageRoot.appendingPathComponent("broker/pcloud-broker-users").path
        let (status, output) = try runCommand("/bin/sh", [script] + arguments, environment: env)
        guard status == 0 else { throw ControllerError("pcloud-broker-users \(arguments.first ?? "") failed: \(output)") }
        return output
    }

    /// Creates the guest user `pcloud-NAME` for deployable NAME, restricted to its own addresses.
    public func addDeployableUser(_ deployable: String, password: String) throws {
        try Self.users(["add-deployable", deployable, password], environment: environment)
    }

    /// rabbitmqctl against this node.
    @discardableResult
    public func rabbitmqctl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runCommand(Self.ctlExecutable, arguments, environment: environment)
    }

    public var log: String { server.logText() }

    /// Stops the server (SIGTERM to the pid we started, which stops its Erlang VM) and waits.
    public func stopServer() {
        server.stop(grace: 30)
    }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) the broker's Erlang VM, the processes under the pid we
    /// started: its connections stay open and nothing is delivered, a stalled broker.
    public func freeze(_ frozen: Bool) {
        for pid in descendants(of: server.pid) { kill(pid, frozen ? SIGSTOP : SIGCONT) }
    }

    /// Starts the server again on the same node, ports and data (a broker restart).
    public func restartServer() throws {
        server.stop(grace: 30)
        server = try ManagedProcess(
            "rabbitmq", executable: Self.serverExecutable, environment: environment)
        guard waitUntil(timeout: 180, { portIsOpen("127.0.0.1", port) || !server.isRunning }), server.isRunning else {
            throw ControllerError("rabbitmq-server did not restart: \(server.logText().suffix(3000))")
        }
    }

    public func stop() {
        server.stop(grace: 30)
        epmd.stop()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    public static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ControllerError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw ControllerError("cannot find a free port") }
        return UInt16(bigEndian: address.sin_port)
    }
}
