import Foundation
import PCloudStore
import ServiceLifecycle

/// What the drivers made for a deployable goes when it is deleted, however it was deleted: through
/// the API, or by `pcloudsh deployable_delete` on the store (the store records `deployable.deleted`
/// for both, and the event bus delivers what another process stored). Its broker user and password
/// file are removed; a removal that fails is said as a warning event.
public struct DeletionCleanup: Service {
    let controller: Controller
    let drivers: any DriverFactory

    public init(controller: Controller, drivers: any DriverFactory) {
        self.controller = controller
        self.drivers = drivers
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await follow() }
        } catch is CancellationError {
            return  // shutdown, perhaps before the subscription was made
        }
        try? await gracefulShutdown()  // the bus ends its streams as shutdown begins
    }

    private func follow() async throws {
        let latest = try await controller.store.lastEventSeqAsync()
        for await event in try await controller.bus.subscribe(after: latest)
        where event.kind == Store.DefinitionEventKind.deployableDeleted {
            guard let problem = await drivers.forget(deployable: event.deployable) else { continue }
            _ = try? await controller.publish([
                StoredEvent(
                    at: controller.clock.now, deployable: event.deployable, kind: "deployable.problem", severity: .warning,
                    message: "deployable \(event.deployable) was deleted, but \(problem)")
            ])
        }
    }
}
