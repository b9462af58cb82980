import Logging
import ServiceLifecycle

/// The drivers' threads and connections (the ssh loop, libvirt connections, OpenStack server
/// watches) as a service of cped's ServiceGroup. It is listed first, so the group stops it last:
/// once the engines, the API and the agent monitor are done with the drivers, it closes them and
/// says what it closed. Before, the ssh loop's thread and the connections lived until the process
/// ended, with no session closed.
struct DriverService: Service {
    let drivers: BuiltInDrivers
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()  // returns at shutdown, or throws when the group is cancelled
        let closed = await drivers.shutdown()
        logger.info("stopped: closed \(closed)", metadata: ["service": "drivers"])
    }
}
