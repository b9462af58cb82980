import ServiceLifecycle

/// Ends every live event stream when cped begins shutting down. Listed last in the ServiceGroup so it
/// is the first to hear of the shutdown: an open `events --follow` response would otherwise keep the
/// HTTP server waiting for it to finish, and cped would never stop.
public struct EventStreamCloser: Service {
    let bus: EventBus

    public init(bus: EventBus) { self.bus = bus }

    public func run() async throws {
        try? await gracefulShutdown()
        await bus.finishAll()
    }
}
