import Foundation
import Logging
import PCloudModel
import PCloudSimulation
import PCloudStore
import PCloudTestSupport
import Testing

@testable import PCloudController

/// Drivers that hand every deployable the same simulated infrastructure and monitor, as cped hands
/// every ssh deployable one `SSHMonitor`.
struct SimulatedDrivers: DriverFactory {
    let infrastructure: SimulatedInfrastructure
    let monitor: SimulatedMonitor
    func infrastructure(for deployable: Deployable) throws -> any Infrastructure { infrastructure }
    func monitor(for deployable: Deployable) throws -> any Monitor { monitor }
}

/// A controller on a private store with simulated drivers: the engine runs in-process, with no
/// cped, daemon or guest, so a test scripts the infrastructure's and guests' answers.
struct SimulatedWorld {
    let controller: Controller
    let infrastructure = SimulatedInfrastructure()
    let monitor = SimulatedMonitor()
    let directory: URL

    init(_ deployables: [Deployable], clock: any EngineClock = WallClock()) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try Store(path: directory.appendingPathComponent("s.sqlite").path)
        for deployable in deployables { try store.importDeployable(deployable) }
        var configuration = ControllerConfiguration()
        configuration.storePath = directory.path
        controller = Controller(configuration: configuration, store: store, logger: Logger(label: "simulation"), clock: clock)
    }

    var drivers: SimulatedDrivers { SimulatedDrivers(infrastructure: infrastructure, monitor: monitor) }

    func engines(listingRetry: ListingRetry = ListingRetry()) -> Engines {
        Engines(controller: controller, drivers: drivers, listingRetry: listingRetry)
    }

    /// A deployable of one static guest with one exec resource monitored every 200 ms.
    static func deployable(_ name: String, assemblies: [String] = ["db"]) -> Deployable {
        Deployable(
            name: name, infrastructure: .static, monitor: MonitorSettings(interval: .milliseconds(200)),
            assemblies: assemblies.enumerated().map { index, assembly in
                Assembly(
                    name: assembly, address: "192.0.2.\(index + 1)",
                    resources: [
                        Resource(
                            name: "store", resourceClass: .exec, type: "store", commands: ExecCommands(monitor: "true"),
                            monitor: OperationTiming(interval: .milliseconds(200), timeout: .seconds(5)))
                    ])
            })
    }

    /// The first event (after `seq`) of `deployable` that `matches`, awaited on the event bus; nil
    /// after `timeout`.
    func event(
        of deployable: String, after seq: Int64 = 0, timeout: Duration = .seconds(20),
        where matches: @escaping @Sendable (StoredEvent) -> Bool
    ) async throws -> StoredEvent? {
        let events = try await controller.bus.subscribe(after: seq, deployable: deployable)
        return await firstElement(of: events, within: timeout, where: matches)
    }

    /// Awaits the deployable's state event saying `state`.
    func state(_ state: String, of deployable: String, after seq: Int64 = 0) async throws -> StoredEvent? {
        try await event(of: deployable, after: seq) { $0.kind == "deployable.state" && $0.data?.contains("\"\(state)\"") == true }
    }

    func events(of deployable: String) async throws -> [StoredEvent] {
        try await controller.store.eventsAsync(after: 0, deployable: deployable, limit: 100_000)
    }
}
