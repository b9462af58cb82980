import ArgumentParser
import Foundation
import Logging
import Metrics
import PCloudController
import PCloudStore
import Prometheus
import ServiceLifecycle

/// cped: the pcloud controller. One process runs the API and one engine per started deployable.
@main
struct CPED: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cped", abstract: "The pcloud controller (Cloud Policy Engine daemon).")

    @Option(help: "Settings file.") var config = "/etc/pcloud/cped.yaml"
    @Option(help: "The API's unix socket (overrides the settings file).") var socket: String?
    @Option(help: "The store: a SQLite file or postgresql://USER@HOST[:PORT]/DB (overrides the settings file).") var store:
        String?
    @Option(help: "File holding only the PostgreSQL store's password (else passfile= in the URL or PGPASSFILE).")
    var storePasswordFile: String?
    @Option(help: "This controller's name among several on one PostgreSQL store (default HOSTNAME:PID).")
    var controllerName: String?
    @Option(help: "Directory holding Assemblies/ (overrides the settings file).") var definitions: String?
    @Option(help: "Also listen on TCP HOST:PORT; needs --token-file.") var tcp: String?
    @Option(help: "File holding the bearer token TCP clients must send.") var tokenFile: String?
    @Option(help: "Close a TCP connection with no request in progress after this long (default 30s).")
    var tcpIdleTimeout: String?
    @Option(help: "Close TCP connections beyond this many at once (default 256).") var tcpMaxConnections: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel: String?
    @Option(help: "The controller's ssh private key (made on first start when absent).") var sshKey: String?
    @Option(help: "The AMQP broker for guest agents, HOST:PORT; needs --broker-password-file.") var broker: String?
    @Option(help: "The broker user of the controller.") var brokerUser = "pcloud"
    @Option(help: "File holding the controller's broker password.") var brokerPasswordFile: String?
    @Option(help: "CA certificates (PEM) for the broker's TLS certificate: connect with AMQPS.") var brokerCa: String?
    @Option(
        help: "The broker as guests reach it, HOST[:PORT] (default: --broker; loopback is reached from QEMU user networking).")
    var brokerGuestAddress: String?
    @Option(help: "Makes each deployable's broker user for its guests (default /usr/share/pcloud/broker/pcloud-broker-users).")
    var brokerUsersCommand: String?

    /// The settings: the file (when it exists), then the flags over it. Read again on SIGHUP.
    func settings() throws -> ControllerConfiguration {
        var settings =
            FileManager.default.fileExists(atPath: config)
            ? try ControllerConfiguration.load(file: URL(fileURLWithPath: config)) : ControllerConfiguration()
        if let socket { settings.socketPath = socket }
        if let store { settings.storePath = store }
        if let storePasswordFile { settings.storePasswordFile = storePasswordFile }
        do { _ = try settings.storeLocation() } catch { throw ValidationError("--store: \(error)") }
        if let definitions { settings.definitionsPath = definitions }
        if let logLevel { settings.logLevel = logLevel }
        if let sshKey { settings.sshKeyPath = sshKey }
        try applyBrokerOptions(to: &settings)
        if let tcp {
            let parts = tcp.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) else {
                throw ValidationError("--tcp takes HOST:PORT, got '\(tcp)'")
            }
            guard let tokenFile else { throw ValidationError("--tcp needs --token-file: every TCP client must present a token") }
            settings.tcp = .init(
                host: String(parts[0]), port: port,
                token: try ControllerConfiguration.readToken(tokenFile, at: "--token-file"))
            settings.tcp?.tokenFile = tokenFile
        }
        if tcpIdleTimeout != nil || tcpMaxConnections != nil {
            guard settings.tcp != nil else {
                throw ValidationError(
                    "--tcp-idle-timeout and --tcp-max-connections need a TCP listener (--tcp or tcp: in \(config))")
            }
        }
        if let tcpIdleTimeout {
            settings.tcp?.idleTimeout = try ControllerConfiguration.TCPListener.idleTimeout(
                tcpIdleTimeout, at: "--tcp-idle-timeout")
        }
        if let tcpMaxConnections {
            settings.tcp?.maxConnections = try ControllerConfiguration.TCPListener.maxConnections(
                tcpMaxConnections, at: "--tcp-max-connections")
        }
        return settings
    }

    func run() async throws {
        umask(0o077)  // the socket, the store and anything else cped writes are private to its user
        let settings = try settings()
        guard let level = Logger.Level(rawValue: settings.logLevel) else {
            throw ValidationError("log level must be one of trace, debug, info, notice, warning, error, critical")
        }
        let liveLevel = LiveLogLevel(level)
        LoggingSystem.bootstrap { label in LiveLevelLogHandler(label: label, level: liveLevel) }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "cped")
        FileLimit.raiseToHardLimit(logger: logger)
        if let tokenFile = settings.tcp?.tokenFile, let warning = ControllerConfiguration.permissionWarning(tokenFile) {
            logger.warning("token file: \(warning)")
        }

        let storeLocation = try settings.storeLocation()
        let database = try await Store(location: storeLocation, logger: Logger(label: "cped.store"))
        try APIServer.prepareSocket(settings.socketPath)
        let controller = Controller(configuration: settings, store: database, logger: logger)
        try ControllerKey.ensure(settings.sshKeyPath, logger: logger)
        let drivers = BuiltInDrivers(
            sshKeyPath: settings.sshKeyPath, broker: settings.broker,
            brokerUsers: settings.stateDirectory.appendingPathComponent("broker-users"),
            logger: logger)
        let box = EnginesBox()
        let cluster = try Self.cluster(
            for: storeLocation, store: database, name: controllerName, settings: settings, engines: box, logger: logger)
        let engines = Engines(controller: controller, drivers: drivers, cluster: cluster)
        box.set(engines)
        // The drivers' long-running work first: the group stops services in reverse order, so
        // it ends after the engines and the API (and the drivers' threads after the agent monitor).
        var services: [any Service] = [DriverService(drivers: drivers, logger: logger)]
        services += drivers.agent.map { [AgentMonitorService(monitor: $0)] } ?? []
        services += APIServer.applications(
            controller: controller, engines: engines, metrics: registry, logger: logger,
            ready: { SystemdNotifier.notify("READY=1") })
        if let cluster { services.append(cluster) }  // stops after the engines: then hands the leases over
        services.append(EngineService(engines: engines))
        services.append(HookService(controller: controller))
        services.append(DeletionCleanup(controller: controller, drivers: drivers))
        if let watchdog = WatchdogService(interval: SystemdNotifier.watchdogInterval) { services.append(watchdog) }
        services.append(EventBusFollower(bus: controller.bus))
        services.append(EventStreamCloser(bus: controller.bus))
        let command = self
        services.append(
            SettingsReloadService(running: settings, level: liveLevel, logger: logger, reread: { try command.settings() }))
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        logger.info("cped starting", metadata: ["store": "\(storeLocation)", "socket": "\(settings.socketPath)"])
        try await group.run()  // READY=1 once the API's listeners accept (see APIServer.applications)
        SystemdNotifier.notify("STOPPING=1")
        await controller.bus.finishAll()
        APIServer.removeSocket(settings.socketPath)
        await database.close()
        logger.info("cped stopped")
    }
}
