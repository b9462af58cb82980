import Foundation
import Logging
import PCloudController
import PCloudStore
import Synchronization

/// cped on PostgreSQL is one of possibly several controllers: it joins the cluster under a name
/// and each deployable's engine runs only where its lease is held (`ClusterService`). On SQLite
/// it is the only controller and owns everything, as before.
extension CPED {
    /// The cluster service for a PostgreSQL store, nil for SQLite. Its `wanted` list is asked of
    /// the engines once they exist (`EnginesBox.set`).
    static func cluster(
        for location: StoreLocation, store: Store, name: String?, settings: ControllerConfiguration, engines: EnginesBox,
        logger: Logger
    ) throws -> ClusterService? {
        guard case .postgres = location else { return nil }
        // Unique per process by default: two controllers under one name would both act.
        let name = name ?? "\(ProcessInfo.processInfo.hostName):\(getpid())"
        let address =
            settings.tcp.map { "\($0.host):\($0.port)" } ?? "unix:\(settings.socketPath) on \(ProcessInfo.processInfo.hostName)"
        var clusterLogger = logger
        clusterLogger[metadataKey: "controller"] = "\(name)"
        logger.info("joining the cluster of controllers on this store", metadata: ["controller": "\(name)"])
        return ClusterService(
            store: store, controller: name, address: address, settings: try LeaseKeeper.Settings(), logger: clusterLogger,
            wanted: { await engines.get()?.wantedDeployables() ?? [] })
    }
}

/// The engines, for the cluster service made before them.
final class EnginesBox: Sendable {
    private let engines = Mutex<Engines?>(nil)
    func set(_ value: Engines) { engines.withLock { $0 = value } }
    func get() -> Engines? { engines.withLock { $0 } }
}
