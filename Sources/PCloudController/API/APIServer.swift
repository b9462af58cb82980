import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// The HTTP/JSON API: on a unix socket (mode 0600) always, and on TCP only with a bearer token.
public enum APIServer {
    /// The applications to run (each is a Service for the ServiceGroup).
    public static func applications(
        controller: Controller, engines: Engines, metrics: PrometheusCollectorRegistry,
        logger: Logger
    ) -> [any ApplicationProtocol] {
        let configuration = controller.configuration
        let socketPath = configuration.socketPath
        var apps: [any ApplicationProtocol] = []
        let unixRouter = router(controller: controller, engines: engines, metrics: metrics)
        apps.append(
            Application(
                router: unixRouter,
                configuration: ApplicationConfiguration(address: .unixDomainSocket(path: socketPath), serverName: "cped"),
                onServerRunning: { _ in
                    chmod(socketPath, 0o600)
                    logger.info("API listening", metadata: ["socket": "\(socketPath)"])
                },
                logger: logger))
        if let tcp = configuration.tcp {
            let tcpRouter = router(controller: controller, engines: engines, metrics: metrics, token: tcp.token)
            apps.append(
                Application(
                    router: tcpRouter,
                    configuration: ApplicationConfiguration(address: .hostname(tcp.host, port: tcp.port), serverName: "cped"),
                    onServerRunning: { _ in logger.info("API listening", metadata: ["tcp": "\(tcp.host):\(tcp.port)"]) },
                    logger: logger))
        }
        return apps
    }

    /// The routes; with a `token`, every one of them requires it (middleware must come before routes).
    static func router(
        controller: Controller, engines: Engines, metrics: PrometheusCollectorRegistry,
        token: String? = nil
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        if let token { router.middlewares.add(BearerTokenMiddleware(token: token)) }
        router.get("v1/health") { _, _ in try JSONBody.response(["status": "ok"]) }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
        }
        DeployableRoutes(controller: controller).register(on: router)
        EventRoutes(controller: controller).register(on: router)
        RuntimeRoutes(controller: controller, engines: engines).register(on: router)
        return router
    }

    /// Removes a socket file left by a previous run, refusing if another cped still answers on it.
    public static func prepareSocket(_ path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])
        guard FileManager.default.fileExists(atPath: path) else { return }
        if UnixSocketProbe.isListening(path) {
            throw ConfigurationError("another cped is already listening on \(path)")
        }
        try FileManager.default.removeItem(atPath: path)
    }
}

/// Whether something accepts connections on a unix socket.
enum UnixSocketProbe {
    static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }
}
