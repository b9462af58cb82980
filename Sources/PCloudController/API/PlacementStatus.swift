import Foundation
import PCloudModel
import PCloudPolicy

extension DeployableStatus {
    /// A floating or cloned resource as `crm_mon` shows it: its instances and where each runs.
    public struct PlacedStatus: Codable, Sendable, Equatable {
        public var name: String
        /// `ocf:heartbeat:IPaddr2`, `systemd:nginx`...
        public var agent: String
        /// The clone set's name; nil for a floating resource.
        public var clone: String?
        public var globallyUnique: Bool
        public var instances: [InstanceStatus]
    }

    public struct InstanceStatus: Codable, Sendable, Equatable {
        public var name: String
        /// Where it is placed; nil = nowhere (banned everywhere it may run).
        public var assembly: String?
        /// Its state there (`running`, `starting`, `failed`...), `stopped` when placed nowhere.
        public var state: String
        /// Failures on every assembly, still counting or not.
        public var failures: Int
    }

    public struct FailedActionStatus: Codable, Sendable, Equatable {
        public var resource: String
        public var assembly: String
        public var action: String
        public var code: Int32
        /// `not running`, `unknown error`... (the OCF meaning of the code).
        public var meaning: String
        public var detail: String?
        public var at: Double
    }

    static func placedStatus(_ deployable: Deployable, _ runtime: DeployableRuntime?) -> [PlacedStatus] {
        deployable.resources.map { placed in
            let resource = placed.resource
            let agent = [
                resource.resourceClass.rawValue, resource.provider, resource.resourceClass == .exec ? nil : resource.type,
            ]
            .compactMap { $0 }.joined(separator: ":")
            let instances = (0..<placed.instanceCount).map { number in
                let name = placed.instanceName(number)
                let at = runtime?.placement?.assignment[name]
                let state = at.flatMap { runtime?.resources[ResourceID(assembly: $0, resource: name)]?.state.rawValue }
                let failures = placed.over.reduce(0) {
                    $0 + (runtime?.resources[ResourceID(assembly: $1, resource: name)]?.failures.total ?? 0)
                }
                return InstanceStatus(name: name, assembly: at, state: state ?? "stopped", failures: failures)
            }
            return PlacedStatus(
                name: placed.name, agent: agent, clone: placed.clone?.name, globallyUnique: placed.clone?.globallyUnique ?? false,
                instances: instances)
        }
    }

    static func failedActions(_ deployable: Deployable, _ runtime: DeployableRuntime?) -> [FailedActionStatus] {
        guard let runtime else { return [] }
        return runtime.resources.compactMap { id, resource in
            guard let failure = resource.lastFailure else { return nil }
            return FailedActionStatus(
                resource: id.resource, assembly: id.assembly, action: failure.action.rawValue, code: failure.code.rawValue,
                meaning: failure.code.reason, detail: failure.detail, at: failure.at)
        }.sorted { ($0.at, $0.assembly, $0.resource) < ($1.at, $1.assembly, $1.resource) }
    }
}
