import ServiceLifecycle

/// Tells systemd the controller is alive every half watchdog period (Type=notify, WatchdogSec=).
public struct WatchdogService: Service {
    let interval: Duration

    public init?(interval: Duration?) {
        guard let interval else { return nil }
        self.interval = interval
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                SystemdNotifier.notify("WATCHDOG=1")
                try await Task.sleep(for: interval)
            }
        }
    }
}
