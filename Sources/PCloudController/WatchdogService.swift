import ServiceLifecycle

/// Tells systemd the controller is alive every half watchdog period (Type=notify, WatchdogSec=).
public struct WatchdogService: Service {
    let interval: Duration

    public init?(interval: Duration?) {
        guard let interval else { return nil }
        self.interval = interval
    }

    /// Ends quietly at shutdown: the sleep's CancellationError is the normal way out, and thrown
    /// from a service during graceful shutdown it would make cped exit 1 on every `systemctl stop`.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                SystemdNotifier.notify("WATCHDOG=1")
                try? await Task.sleep(for: interval)
            }
        }
    }
}
