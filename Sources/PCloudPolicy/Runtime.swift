import PCloudModel

/// Everything the policy knows about a started deployable between two decisions. The engine keeps
/// it (and persists it), feeds inputs, and executes the actions the policy returns.
public struct DeployableRuntime: Sendable, Codable, Equatable {
    public var desired: DesiredState = .stopped
    /// The state last reported (a `report` action is planned whenever it changes).
    public var state: DeployableState = .stopped
    /// Exceeded its own limit; cleared by the next operator start.
    public var failed = false
    /// Reached `running` at least once since the operator started it.
    public var wasRunning = false
    /// Monitoring is on while the deployable is started or stopping.
    public var monitoring = false
    public var failures = FailureHistory()
    public var assemblies: [String: AssemblyRuntime]
    public var resources: [ResourceID: ResourceRuntime]
    /// Where placed (floating and cloned) instances run; nil for a deployable without any.
    public var placement: PlacementRuntime?
    /// Elements the operator put into maintenance (unmanaged); nil when there are none.
    public var maintenance: [MaintenanceWindow]?

    public init(for deployable: Deployable) {
        assemblies = Dictionary(uniqueKeysWithValues: deployable.assemblies.map { ($0.name, AssemblyRuntime()) })
        resources = [:]
        for assembly in deployable.assemblies {
            for resource in assembly.resources {
                resources[ResourceID(assembly: assembly.name, resource: resource.name)] = ResourceRuntime()
            }
        }
        for placed in deployable.resources {
            for number in 0..<placed.instanceCount {
                for assembly in placed.over {
                    resources[ResourceID(assembly: assembly, resource: placed.instanceName(number))] = ResourceRuntime()
                }
            }
        }
        placement = deployable.resources.isEmpty ? nil : PlacementRuntime()
    }
}

/// Pending infrastructure work on an assembly.
public enum AssemblyOperation: String, Sendable, Codable {
    case start, fence, stop
}

public struct AssemblyRuntime: Sendable, Codable, Equatable {
    public var state: AssemblyState = .unknown
    public var pending: AssemblyOperation?
    /// Bumped each time the guest is fenced or stopped: results of operations started in an
    /// earlier incarnation are stale and ignored.
    public var incarnation = 0
    public var address: String?
    public var hostname: String?
    /// The guest's pinned ssh host key (from the image build, or recorded at first contact).
    public var hostKey: String?
    /// The guest's boot id when the monitor knows it: a new one means it rebooted behind our back.
    public var bootID: String?
    /// The uptime the last liveness check saw, in seconds (an uptime going down is a reboot).
    public var uptime: Double?
    /// When the infrastructure last said the guest started (its boot timeout runs from then).
    public var startedAt: Double?
    public var failures = FailureHistory()
    public var lastReason: String?
    /// Not started again before this time: a guest that keeps failing is retried after 1 s, 2 s,
    /// 4 s ... (at most 30 s), so a passing problem (libvirtd restarting) has time to clear.
    public var notBefore: Double?

    public init() {}
}

public struct ResourceRuntime: Sendable, Codable, Equatable {
    public var state: ResourceState = .unknown
    /// The operation in flight; nothing else is started for this resource until it completes.
    public var pending: ResourceAction?
    /// When the operation in flight times out (seconds since 1970): after a controller restart the
    /// operation may still be running in the guest until then.
    public var pendingDeadline: Double?
    /// A start or stop that was in flight when the controller stopped: nothing is done to this
    /// resource until it has timed out, then it is probed (never started twice over itself).
    public var interrupted: InterruptedOperation?
    /// A recurring monitor is scheduled.
    public var monitoring = false
    public var lastCode: OCFExitCode?
    public var lastReason: String?
    public var failures = FailureHistory()
    /// The parameters it was last started with (to notice a changed reference).
    public var appliedParameters: [String: String]?
    /// Not started again before this time (restart backoff).
    public var notBefore: Double?
    /// `on-fail: stop`: stopped and left stopped.
    public var disabled = false
    /// The last failed operation, kept after recovery for status (crm_mon's "Failed Resource Actions").
    public var lastFailure: FailedAction?
    /// It left maintenance and is being probed again: what the probe finds is acted on with that reason.
    public var leftMaintenance: Bool?

    public init() {}
}

/// An operation a controller restart interrupted, waited out before the resource is probed.
public struct InterruptedOperation: Sendable, Codable, Equatable {
    public var action: ResourceAction
    /// Its timeout: it cannot still be running in the guest after this.
    public var until: Double
    /// The wait was announced in the event log.
    public var said = false

    public init(action: ResourceAction, until: Double) {
        self.action = action
        self.until = until
    }
}

/// A failed operation as status lists it: `ClusterIP:7 monitor on a 'not running' (7)`.
public struct FailedAction: Sendable, Codable, Equatable {
    public var action: ResourceAction
    public var code: OCFExitCode
    public var at: Double
    public var detail: String?

    public init(action: ResourceAction, code: OCFExitCode, at: Double, detail: String?) {
        self.action = action
        self.code = code
        self.at = at
        self.detail = detail
    }
}
