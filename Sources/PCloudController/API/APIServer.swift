import Foundation
import Hummingbird
import Logging
import NIOCore
import PCloudModel
import Prometheus

/// The HTTP/JSON API: on a unix socket (mode 0600) always, and on TCP only with a bearer token.
public enum APIServer {
    /// The applications to run (each is a Service for the ServiceGroup).
    public static func applications(
        controller: Controller, engines: Engines, metrics: PrometheusCollectorRegistry,
        logger: Logger, ready: @escaping @Sendable () -> Void = {}
    ) -> [any ApplicationProtocol] {
        let configuration = controller.configuration
        let readiness = ListenerReadiness(listeners: configuration.tcp == nil ? 1 : 2, ready: ready)
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
                    readiness.listening()
                },
                logger: logger))
        if let tcp = configuration.tcp {
            let tcpRouter = router(controller: controller, engines: engines, metrics: metrics, token: tcp.token)
            apps.append(
                Application(
                    router: tcpRouter,
                    server: LimitedHTTP1Channel.server(idleTimeout: tcp.idleTimeout, limit: tcp.maxConnections, logger: logger),
                    configuration: ApplicationConfiguration(address: .hostname(tcp.host, port: tcp.port), serverName: "cped"),
                    onServerRunning: { _ in
                        logger.info(
                            "API listening",
                            metadata: [
                                "tcp": "\(tcp.host):\(tcp.port)", "idle-timeout": "\(DurationText.format(tcp.idleTimeout))",
                                "max-connections": "\(tcp.maxConnections)",
                            ])
                        readiness.listening()
                    },
                    logger: logger))
        }
        return apps
    }

    /// The routes; with a `token` (TCP), every one of them requires it or a dashboard session, and
    /// the dashboard is served (middleware must come before routes). A request no route matches
    /// gets a JSON 404 like every other refusal.
    static func router(
        controller: Controller, engines: Engines, metrics: PrometheusCollectorRegistry,
        token: String? = nil
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let sessions = DashboardSessions()
        if let token { router.middlewares.add(SessionOrBearerMiddleware(token: token, sessions: sessions)) }
        router.middlewares.add(NoSuchRouteMiddleware())
        if let token {
            DashboardRoutes(token: token, sessions: sessions, files: DashboardFiles(), controller: controller).register(
                on: router)
        }
        router.get("v1/health") { _, _ in try JSONBody.response(["status": "ok"]) }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
        }
        DeployableRoutes(controller: controller, engines: engines).register(on: router)
        EventRoutes(controller: controller).register(on: router)
        RuntimeRoutes(controller: controller, engines: engines).register(on: router)
        ClusterRoutes(controller: controller, engines: engines).register(on: router)
        return router
    }
}
