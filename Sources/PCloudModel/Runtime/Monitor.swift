/// How the controller checks guests and runs resource operations in them (ssh or the AMQP agent).
/// Implementations live in PCloudMonitor; the engine only sees this.
public protocol Monitor: Sendable {
    /// One liveness check (ssh: `uptime`; agent: the last heartbeat).
    func liveness(of guest: GuestEndpoint, timeout: Duration) async -> Liveness

    /// Runs `action` for `resource` in the guest; `parameters` are already resolved (references
    /// filled in). Never throws: transport failures are results too.
    func run(
        _ action: ResourceAction, resource: Resource, parameters: [String: String],
        on guest: GuestEndpoint, timeout: Duration
    ) async -> OperationResult

    /// Observations the monitor pushes by itself (agent heartbeats lost, a local monitor that
    /// failed, an ssh connection that broke). Every call returns a stream of the caller's own that
    /// sees every observation made after the call (`ObservationHub`): one monitor serves many
    /// engines, and ending one engine's stream must not end or starve another's. Monitors that only
    /// answer questions return a stream that never yields.
    func observations() -> AsyncStream<Observation>

    /// Forget a guest (stopped or removed): close its session or subscription.
    func forget(_ guest: GuestName) async
}

/// Where and how to reach one guest.
public struct GuestEndpoint: Sendable, Hashable {
    public var name: GuestName
    public var host: String
    public var port: Int
    public var user: String
    /// The pinned host key; a different key is refused.
    public var hostKey: String?
    /// The assembly's heartbeat settings (the agent method judges liveness by them).
    public var agent: AgentSettings

    public init(
        name: GuestName, host: String, port: Int = 22, user: String = "root", hostKey: String? = nil,
        agent: AgentSettings = AgentSettings()
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.user = user
        self.hostKey = hostKey
        self.agent = agent
    }
}

/// The answer to a liveness check.
public enum Liveness: Sendable, Hashable {
    /// Up for `uptime`; `bootID` when the monitor knows it (the agent does).
    case alive(uptime: Duration, bootID: String?)
    /// Did not answer (refused, timed out, auth failed): the reason says which.
    case unreachable(reason: String)
    /// The guest presented a different host key than the pinned one: refused, never accepted.
    case hostKeyMismatch(expected: String, presented: String)
}

/// What a resource operation returned.
public struct OperationResult: Sendable, Hashable {
    public var code: OCFExitCode
    /// The command's output, bounded, for the event log.
    public var output: String
    /// Set when the operation did not complete (timeout, lost connection).
    public var transportError: String?

    public init(code: OCFExitCode, output: String = "", transportError: String? = nil) {
        self.code = code
        self.output = output
        self.transportError = transportError
    }
}

/// Something a monitor noticed without being asked.
public enum Observation: Sendable, Hashable {
    case liveness(GuestName, Liveness)
    case resource(GuestName, resource: String, OperationResult)
}

/// The state of a connection a monitor depends on for every guest (the agent monitor's broker).
public enum MonitorConnectionState: Sendable, Hashable {
    case up
    case down(reason: String)
}

/// Monitors that reach all guests through one connection of their own: while it is down they
/// suspend their verdicts, and the engine reports the outage once instead of every guest failing.
public protocol MonitorConnectionReporting: Sendable {
    /// The current state first, then each change.
    func connectionStates() -> AsyncStream<MonitorConnectionState>
}

/// Monitors that can tell which host key a guest presents (ssh), so a guest first seen without a
/// pinned key has it recorded and pinned from then on (a warning event says so).
public protocol HostKeyDiscovery: Sendable {
    func presentedHostKey(of guest: GuestEndpoint, timeout: Duration) async throws -> String
}
