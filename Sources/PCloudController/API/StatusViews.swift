import Foundation
import PCloudModel
import PCloudPolicy
import PCloudStore

/// What `GET /v1/deployables/NAME/status` returns and `pcloudsh deployable_status` shows.
public struct DeployableStatus: Codable, Sendable, Equatable {
    public var name: String
    public var uuid: String
    public var state: String
    public var infrastructure: String
    public var monitor: String
    public var assemblies: [AssemblyStatus]
    public var lastEvent: String?
    /// Floating and cloned resources: each instance and the assembly it runs on.
    public var placed: [PlacedStatus] = []
    /// The last failed operation of every resource that has one (kept after recovery).
    public var failedActions: [FailedActionStatus] = []
    /// Elements in maintenance (unmanaged): `""` is the whole deployable.
    public var maintenance: [MaintenanceStatus] = []

    public struct MaintenanceStatus: Codable, Sendable, Equatable {
        /// `""` (the whole deployable), `ASSEMBLY` or `ASSEMBLY/RESOURCE`.
        public var element: String
        public var since: Double
        /// When it runs out (seconds since 1970); nil = until taken out.
        public var until: Double?
    }

    public struct AssemblyStatus: Codable, Sendable, Equatable {
        public var name: String
        public var state: String
        public var address: String?
        public var failures: Int
        public var resources: [ResourceStatus]
        /// In maintenance: monitored and reported, never started, stopped or fenced by pcloud.
        public var unmanaged = false
        /// The guest's boot id and uptime (s) from its last liveness check; nil before one.
        public var bootID: String? = nil
        public var uptime: Double? = nil
        /// The pinned ssh host key (`ssh-ed25519 AAAA...`): recorded at first contact, or the definition's.
        public var hostKey: String? = nil
        /// The escalation window: failures still counting, against `limit`.
        public var window: FailureWindowStatus? = nil
    }

    public struct ResourceStatus: Codable, Sendable, Equatable {
        public var name: String
        public var state: String
        public var failures: Int
        public var lastReason: String?
        public var unmanaged = false
        public var window: FailureWindowStatus? = nil
    }

    /// Built from the definition, the stored runtime state and failure history; `now` decides which
    /// failures still count in their window.
    static func make(
        _ deployable: Deployable, states: [RuntimeStateRecord], failures: [FailureRecord],
        lastEvent: StoredEvent?, now: Double = 0
    ) -> DeployableStatus {
        func record(_ assembly: String, _ resource: String) -> RuntimeStateRecord? {
            states.first { $0.assembly == assembly && $0.resource == resource }
        }
        func value(_ record: RuntimeStateRecord?, _ key: String) -> Any? {
            guard let text = record?.detail,
                let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            else { return nil }
            return object[key]
        }
        func detail(_ record: RuntimeStateRecord?, _ key: String) -> String? { value(record, key) as? String }
        /// Failure counts: the engine's own count when it has run, else the failure records.
        func count(_ record: RuntimeStateRecord?, _ fallback: Int) -> Int { (value(record, "failures") as? Int) ?? fallback }
        let runtime = detail(record("", ""), "runtime").flatMap {
            try? JSONDecoder().decode(DeployableRuntime.self, from: Data($0.utf8))
        }
        let assemblies = deployable.assemblies.map { assembly in
            let assemblyRecord = record(assembly.name, "")
            return AssemblyStatus(
                name: assembly.name, state: assemblyRecord?.state ?? "stopped",
                address: detail(assemblyRecord, "address") ?? assembly.address,
                failures: count(assemblyRecord, failures.filter { $0.assembly == assembly.name && $0.resource.isEmpty }.count),
                resources: assembly.resources.map { resource in
                    let resourceRecord = record(assembly.name, resource.name)
                    return ResourceStatus(
                        name: resource.name, state: resourceRecord?.state ?? "stopped",
                        failures: count(
                            resourceRecord, failures.filter { $0.assembly == assembly.name && $0.resource == resource.name }.count
                        ),
                        lastReason: detail(resourceRecord, "reason"),
                        unmanaged: runtime?.isUnmanaged(ResourceID(assembly: assembly.name, resource: resource.name)) ?? false)
                }, unmanaged: runtime?.isUnmanaged(assembly: assembly.name) ?? false)
        }
        var status = DeployableStatus(
            name: deployable.name, uuid: deployable.uuid?.uuidString.lowercased() ?? "",
            state: record("", "")?.state ?? "stopped", infrastructure: deployable.infrastructure.kind,
            monitor: deployable.monitor.method.rawValue, assemblies: assemblies, lastEvent: lastEvent?.message,
            placed: placedStatus(deployable, runtime), failedActions: failedActions(deployable, runtime),
            maintenance: (runtime?.maintenanceWindows ?? []).map {
                MaintenanceStatus(element: $0.element.text, since: $0.since, until: $0.until)
            })
        status.addWindows(deployable, runtime, now: now)
        return status
    }
}
