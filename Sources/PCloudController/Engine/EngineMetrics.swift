import Metrics
import PCloudModel
import PCloudPolicy

/// Prometheus figures for a deployable: state of every element (1 for the current state), restarts,
/// escalations, and how long operations and liveness checks take.
enum EngineMetrics {
    static func record(_ actions: [PlannedAction], deployable: String) {
        for action in actions {
            switch action.step {
            case .restartResource(let id):
                Counter(
                    label: "pcloud_restarts_total",
                    dimensions: [("deployable", deployable), ("level", "resource"), ("target", "\(id)")]
                ).increment()
            case .restartAssembly(let name):
                Counter(
                    label: "pcloud_restarts_total",
                    dimensions: [("deployable", deployable), ("level", "assembly"), ("target", name)]
                ).increment()
            case .restartDeployable:
                Counter(label: "pcloud_escalations_total", dimensions: [("deployable", deployable), ("to", "deployable")])
                    .increment()
            case .deployableFailed:
                Counter(label: "pcloud_escalations_total", dimensions: [("deployable", deployable), ("to", "failed")]).increment()
            default: break
            }
        }
    }

    /// One gauge per element and state: 1 for the state it is in, 0 for the others; and how many
    /// assemblies and resources are unmanaged (in maintenance).
    static func states(_ runtime: DeployableRuntime, deployable: String) {
        let unmanaged = runtime.unmanagedCount
        Gauge(label: "pcloud_unmanaged_elements", dimensions: [("deployable", deployable), ("kind", "assembly")])
            .record(unmanaged.assemblies)
        Gauge(label: "pcloud_unmanaged_elements", dimensions: [("deployable", deployable), ("kind", "resource")])
            .record(unmanaged.resources)
        for state in DeployableState.allCases {
            Gauge(label: "pcloud_deployable_state", dimensions: [("deployable", deployable), ("state", state.rawValue)])
                .record(runtime.state == state ? 1 : 0)
        }
        for (name, assembly) in runtime.assemblies {
            for state in AssemblyState.allCases {
                Gauge(
                    label: "pcloud_assembly_state",
                    dimensions: [("deployable", deployable), ("assembly", name), ("state", state.rawValue)]
                )
                .record(assembly.state == state ? 1 : 0)
            }
        }
        for (id, resource) in runtime.resources {
            for state in ResourceState.allCases {
                Gauge(
                    label: "pcloud_resource_state",
                    dimensions: [
                        ("deployable", deployable), ("assembly", id.assembly), ("resource", id.resource),
                        ("state", state.rawValue),
                    ]
                ).record(resource.state == state ? 1 : 0)
            }
            Gauge(
                label: "pcloud_resource_failures",
                dimensions: [("deployable", deployable), ("assembly", id.assembly), ("resource", id.resource)]
            )
            .record(resource.failures.total)
        }
    }

    /// How long a resource operation or a liveness check took.
    static func duration(_ seconds: Double, deployable: String, operation: String) {
        Timer(
            label: "pcloud_operation_duration_seconds", dimensions: [("deployable", deployable), ("operation", operation)],
            preferredDisplayUnit: .seconds
        )
        .recordNanoseconds(Int64(seconds * 1e9))
    }
}
