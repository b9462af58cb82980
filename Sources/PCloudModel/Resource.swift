/// A service inside an assembly (the original's "service"), e.g. httpd or mariadb.
public struct Resource: Sendable, Equatable, Codable {
    public var name: String
    public var resourceClass: ResourceClass
    /// The unit (systemd), init script (lsb) or agent (ocf) name; unused for `exec`.
    public var type: String
    /// The OCF provider (`heartbeat`, `pacemaker`, ...); only for `ocf`.
    public var provider: String?
    public var parameters: [Parameter]
    /// For `exec`: the commands that monitor, start and stop it.
    public var commands: ExecCommands?
    public var monitor: OperationTiming
    public var startTimeout: Duration
    public var stopTimeout: Duration
    public var onFail: OnFail
    /// What a failed stop leads to: nil = fence the assembly (it may still run); `block` = leave it.
    public var stopOnFail: OnFail?
    public var escalation: EscalationLimit?
    /// Failures older than this stop counting (Pacemaker's failure-timeout); nil = never expire.
    public var failureExpiry: Duration?
    public var backoff: RestartBackoff?

    public init(
        name: String, resourceClass: ResourceClass, type: String, provider: String? = nil,
        parameters: [Parameter] = [], commands: ExecCommands? = nil,
        monitor: OperationTiming = .defaultMonitor, startTimeout: Duration = .seconds(20),
        stopTimeout: Duration = .seconds(20), onFail: OnFail = .restart,
        escalation: EscalationLimit? = nil, failureExpiry: Duration? = nil,
        backoff: RestartBackoff? = nil
    ) {
        self.name = name
        self.resourceClass = resourceClass
        self.type = type
        self.provider = provider
        self.parameters = parameters
        self.commands = commands
        self.monitor = monitor
        self.startTimeout = startTimeout
        self.stopTimeout = stopTimeout
        self.onFail = onFail
        self.escalation = escalation
        self.failureExpiry = failureExpiry
        self.backoff = backoff
    }

    /// Parameter references to other assemblies' runtime values.
    public var references: [ParameterReference] {
        parameters.compactMap {
            if case .reference(let ref) = $0.value { return ref }
            return nil
        }
    }
}

/// How often and how long: the recurring monitor.
public struct OperationTiming: Sendable, Equatable, Hashable, Codable {
    public var interval: Duration
    public var timeout: Duration

    public init(interval: Duration, timeout: Duration) {
        self.interval = interval
        self.timeout = timeout
    }

    public static let defaultMonitor = OperationTiming(interval: .seconds(10), timeout: .seconds(20))
}

/// The commands of an `exec` resource, run by `/bin/sh -c`.
public struct ExecCommands: Sendable, Equatable, Hashable, Codable {
    public var monitor: String
    public var start: String?
    public var stop: String?

    public init(monitor: String, start: String? = nil, stop: String? = nil) {
        self.monitor = monitor
        self.start = start
        self.stop = stop
    }
}
