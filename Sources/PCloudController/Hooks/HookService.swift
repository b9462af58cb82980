import ServiceLifecycle

/// Runs the hook runner for as long as cped runs.
public struct HookService: Service {
    let runner: HookRunner

    public init(controller: Controller) {
        runner = HookRunner(controller: controller)
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await runner.run() }
        } catch is CancellationError {
            // Shutdown cancelled the runner, perhaps before it had subscribed (SIGTERM right after
            // start): that is the normal end, not an error that would make cped exit 1.
            return
        }
        // The event bus ends its streams as shutdown begins; finishing before this service's own
        // turn would count as an unexpected exit, so wait for it.
        try? await gracefulShutdown()
    }
}
