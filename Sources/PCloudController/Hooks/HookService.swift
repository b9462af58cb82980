import ServiceLifecycle

/// Runs the hook runner for as long as cped runs.
public struct HookService: Service {
    let runner: HookRunner

    public init(controller: Controller) {
        runner = HookRunner(controller: controller)
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await runner.run() }
    }
}
