import Foundation
import PCloudModel
import PCloudPolicy

/// Drives a deployable with placed resources: every probe, start, stop and guest operation is
/// answered (probes say "not running" unless told otherwise), so a test only injects what it is about.
struct PlacementDriver {
    var scenario: Scenario
    var queue: [PlannedAction] = []
    /// Answers to hold back: fencing of these assemblies is not confirmed until released.
    var holdFence: Set<String> = []
    var stopAnswer: OCFExitCode = .ok
    /// The address each started guest reports.
    var addresses: [String: String] = [:]

    init(_ deployable: Deployable) { scenario = Scenario(deployable) }

    var runtime: DeployableRuntime { scenario.runtime }
    var log: [PlannedAction] { scenario.log }

    mutating func send(_ input: PolicyInput) { queue += scenario.send(input) }

    mutating func settle() {
        var held: [PlannedAction] = []
        while !queue.isEmpty {
            let action = queue.removeFirst()
            switch action.step {
            case .probe(let id, let arguments):
                send(.operationCompleted(id, .probe, .notRunning, incarnation: arguments.incarnation, detail: nil))
            case .start(let id, let arguments):
                send(.operationCompleted(id, .start, .ok, incarnation: arguments.incarnation, detail: nil))
            case .stop(let id, let arguments):
                send(.operationCompleted(id, .stop, stopAnswer, incarnation: arguments.incarnation, detail: nil))
            case .startAssembly(let name):
                send(.assemblyStarted(name, address: addresses[name], hostname: nil))
                send(.assemblyReachable(name))
            case .fenceAssembly(let name):
                if holdFence.contains(name) { held.append(action) } else { send(.assemblyFenced(name)) }
            case .stopAssembly(let name):
                send(.assemblyStopped(name))
            default: break
            }
        }
        queue = held
    }

    /// A failed recurring monitor of `instance` on `assembly`.
    mutating func monitorFails(_ instance: String, on assembly: String) {
        let id = ResourceID(assembly: assembly, resource: instance)
        send(.operationCompleted(id, .monitor, .notRunning, incarnation: scenario.incarnation(assembly), detail: nil))
    }

    func placedOn(_ instance: String) -> String? { runtime.placement?.assignment[instance] }

    /// The assemblies where the instance is running.
    func running(_ instance: String) -> [String] {
        runtime.resources.filter { $0.key.resource == instance && $0.value.state == .running }.map(\.key.assembly).sorted()
    }

    func count(on assembly: String, _ prefix: String) -> Int {
        runtime.resources.filter {
            $0.key.assembly == assembly && $0.key.resource.hasPrefix(prefix + ":") && $0.value.state == .running
        }
        .count
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The shipped example, `Deployables/clusterip.yaml`.
    static func clusterIP() throws -> Deployable {
        try DefinitionLoader(root: root).loadDeployable(file: root.appendingPathComponent("Deployables/clusterip.yaml"))
    }

    /// A small deployable with one placed resource over `over` (static guests named as given).
    static func deployable(
        over: [String], clone: CloneSettings? = nil, stickiness: Int = PlacedResource.infinity, threshold: Int? = 1,
        expiry: Duration? = nil, stopOnFail: OnFail? = nil
    ) -> Deployable {
        var resource = Resource(
            name: clone == nil ? "vip" : "ip", resourceClass: .ocf, type: "IPaddr2", provider: "heartbeat",
            parameters: [Parameter(name: "ip", value: .literal("10.9.0.10"))], failureExpiry: expiry)
        resource.stopOnFail = stopOnFail
        return Deployable(
            name: "web", infrastructure: .static,
            assemblies: over.map { Assembly(name: $0, address: "10.0.0.1") },
            resources: [
                PlacedResource(
                    resource: resource, over: over, clone: clone, stickiness: stickiness, migrationThreshold: threshold)
            ])
    }
}
