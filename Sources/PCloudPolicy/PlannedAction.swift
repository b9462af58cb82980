import PCloudModel

/// One step of a plan and the sentence that explains it in the event log.
public struct PlannedAction: Sendable, Equatable, CustomStringConvertible {
    public var step: Step
    public var reason: String

    public init(_ step: Step, _ reason: String) {
        self.step = step
        self.reason = reason
    }

    public var description: String { "\(step): \(reason)" }
}

/// What a resource operation needs: its resolved parameters, timeout, interval (monitors) and the
/// assembly incarnation it belongs to (its result is stale once the assembly was fenced).
public struct OperationArguments: Sendable, Equatable, Hashable {
    public var parameters: [String: String]
    public var timeout: Duration
    public var interval: Duration?
    public var incarnation: Int

    public init(parameters: [String: String], timeout: Duration, interval: Duration? = nil, incarnation: Int) {
        self.parameters = parameters
        self.timeout = timeout
        self.interval = interval
        self.incarnation = incarnation
    }
}

public enum Step: Sendable, Equatable, CustomStringConvertible {
    // Decisions: recorded as events; the steps that carry them out follow in the same plan.
    case restartResource(ResourceID)
    case restartAssembly(String)
    case restartDeployable
    case reconfigure(ResourceID)
    case failureIgnored(ResourceID)
    case deployableFailed
    /// Maintenance began, ended by the operator, or ran out.
    case maintenanceOn(MaintenanceElement)
    case maintenanceOff(MaintenanceElement)
    case maintenanceExpired(MaintenanceElement)
    /// A failure of (or reaching) an unmanaged element: reported, nothing done about it.
    case unmanagedFailure(MaintenanceElement)
    /// A resource that left maintenance was found running: adopted as it is.
    case adopted(ResourceID)

    // Infrastructure.
    case startAssembly(String)
    /// Force the guest off and confirm it is off before anything starts it again.
    case fenceAssembly(String)
    case stopAssembly(String)

    // Resource operations.
    case probe(ResourceID, OperationArguments)
    case start(ResourceID, OperationArguments)
    case stop(ResourceID, OperationArguments)
    case scheduleMonitor(ResourceID, OperationArguments)
    case cancelMonitor(ResourceID)
    case markUnrecoverable(ResourceID)
    case block(ResourceID)
    /// A start or stop interrupted by a controller restart is waited out before the resource is probed.
    case awaitInterrupted(ResourceID)

    // The deployable.
    case report(DeployableState)
    case stopMonitoring
    /// The guest presented an ssh host key other than the pinned one (reported; the guest is lost).
    case hostKeyRefused(String)

    public var description: String {
        switch self {
        case .restartResource(let id): "restart-resource \(id)"
        case .restartAssembly(let name): "restart-assembly \(name)"
        case .restartDeployable: "restart-deployable"
        case .reconfigure(let id): "reconfigure \(id)"
        case .failureIgnored(let id): "failure-ignored \(id)"
        case .deployableFailed: "deployable-failed"
        case .maintenanceOn(let element): "maintenance-on \(element.text)"
        case .maintenanceOff(let element): "maintenance-off \(element.text)"
        case .maintenanceExpired(let element): "maintenance-expired \(element.text)"
        case .unmanagedFailure(let element): "unmanaged-failure \(element.text)"
        case .adopted(let id): "adopted \(id)"
        case .startAssembly(let name): "start-assembly \(name)"
        case .fenceAssembly(let name): "fence-assembly \(name)"
        case .stopAssembly(let name): "stop-assembly \(name)"
        case .probe(let id, _): "probe \(id)"
        case .start(let id, _): "start \(id)"
        case .stop(let id, _): "stop \(id)"
        case .scheduleMonitor(let id, let arguments):
            "monitor \(id) every \(DurationText.format(arguments.interval ?? .zero))"
        case .cancelMonitor(let id): "cancel-monitor \(id)"
        case .markUnrecoverable(let id): "unrecoverable \(id)"
        case .block(let id): "block \(id)"
        case .awaitInterrupted(let id): "await-interrupted \(id)"
        case .report(let state): "report \(state.rawValue)"
        case .stopMonitoring: "stop-monitoring"
        case .hostKeyRefused(let name): "host-key-refused \(name)"
        }
    }

    /// Decisions and reports have nothing to execute.
    public var isDecision: Bool {
        switch self {
        case .restartResource, .restartAssembly, .restartDeployable, .reconfigure, .failureIgnored, .deployableFailed, .report,
            .awaitInterrupted, .hostKeyRefused, .maintenanceOn, .maintenanceOff, .maintenanceExpired, .unmanagedFailure, .adopted:
            true
        default: false
        }
    }
}
