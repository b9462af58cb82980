import ServiceLifecycle

/// Picks up events other processes stored (an offline `pcloudsh deployable_import`, another
/// controller on the same store) and hands them to the bus's subscribers. SQLite cannot tell one
/// process that another wrote, so this reads `seq > last delivered` on a tick; this process's own
/// events never wait for it.
public struct EventBusFollower: Service {
    let bus: EventBus
    let interval: Duration

    public init(bus: EventBus, interval: Duration = .milliseconds(500)) {
        self.bus = bus
        self.interval = interval
    }

    public func run() async throws {
        // Shutdown cancels the tick's sleep; that is the normal end.
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                try? await bus.catchUp()
            }
        }
    }
}
