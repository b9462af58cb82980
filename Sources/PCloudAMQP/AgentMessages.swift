/// The agent protocol, version 1: small JSON documents in the AMQP body, the kind in the subject.
///
/// | subject     | direction          | body                                                            |
/// |-------------|--------------------|-----------------------------------------------------------------|
/// | `heartbeat` | agent → controller | `{v, seq, boot_id, uptime, assembly, deployable}`               |
/// | `status`    | agent → controller | `{v, deployable, assembly, resource, code, output}`             |
/// | `request`   | controller → agent | `{v, id, action, timeout, resource: {name, class, type, provider, params, commands}}` |
/// | `reply`     | agent → controller | `{v, id, code, output}`                                         |
public enum AgentProtocol {
    public static let version = 1
    /// Bodies above this size are rejected before parsing.
    public static let maxBodyBytes = 64 * 1024
    /// The longest uptime a heartbeat may carry (a century, in seconds): any more is not a real
    /// machine's, and a controller must never do arithmetic on it.
    public static let maxUptimeSeconds: Double = 100 * 365.25 * 86_400
}

public struct Heartbeat: Codable, Sendable, Hashable {
    public var v: Int = AgentProtocol.version
    /// Increases by one per heartbeat from one agent process.
    public var seq: UInt64
    /// `/proc/sys/kernel/random/boot_id`: a new value means the guest rebooted.
    public var bootID: String
    /// Seconds since the guest booted.
    public var uptime: Double
    public var assembly: String
    public var deployable: String

    public init(seq: UInt64, bootID: String, uptime: Double, assembly: String, deployable: String) {
        self.seq = seq
        self.bootID = bootID
        self.uptime = uptime
        self.assembly = assembly
        self.deployable = deployable
    }

    enum CodingKeys: String, CodingKey {
        case v, seq, uptime, assembly, deployable
        case bootID = "boot_id"
    }
}

/// A recurring monitor inside the guest saw a resource's result change.
public struct StatusChange: Codable, Sendable, Hashable {
    public var v: Int = AgentProtocol.version
    public var deployable: String
    public var assembly: String
    public var resource: String
    /// The OCF exit code.
    public var code: Int32
    public var output: String

    public init(deployable: String, assembly: String, resource: String, code: Int32, output: String) {
        self.deployable = deployable
        self.assembly = assembly
        self.resource = resource
        self.code = code
        self.output = output
    }
}

/// The commands of an `exec` resource.
public struct ExecCommandSpec: Codable, Sendable, Hashable {
    public var monitor: String
    public var start: String?
    public var stop: String?

    public init(monitor: String, start: String? = nil, stop: String? = nil) {
        self.monitor = monitor
        self.start = start
        self.stop = stop
    }
}

/// What to operate: the resource's class (`ocf`, `lsb`, `systemd`, `exec`), type, provider (for
/// `ocf`; none means `heartbeat`, as over ssh) and resolved parameters.
public struct ResourceSpec: Codable, Sendable, Hashable {
    public var name: String
    public var resourceClass: String
    public var type: String
    public var provider: String?
    public var params: [String: String]
    public var commands: ExecCommandSpec?

    public init(
        name: String, resourceClass: String, type: String, provider: String? = nil,
        params: [String: String] = [:], commands: ExecCommandSpec? = nil
    ) {
        self.name = name
        self.resourceClass = resourceClass
        self.type = type
        self.provider = provider
        self.params = params
        self.commands = commands
    }

    enum CodingKeys: String, CodingKey {
        case name, type, provider, params, commands
        case resourceClass = "class"
    }

    public static let classes: Set<String> = ["ocf", "lsb", "systemd", "exec"]
}

public struct AgentRequest: Codable, Sendable, Hashable {
    public var v: Int = AgentProtocol.version
    public var id: String
    /// `probe`, `monitor`, `start` or `stop`.
    public var action: String
    public var resource: ResourceSpec
    /// Seconds the agent lets the operation run before killing it (it replies with an error).
    public var timeout: Double?
    /// When set, a resource this request finds or leaves running is then monitored by the agent
    /// itself every `monitorInterval` seconds (each change pushed at once) until a stop; older
    /// agents ignore it.
    public var monitorInterval: Double?

    public init(id: String, action: String, resource: ResourceSpec, timeout: Double? = nil, monitorInterval: Double? = nil) {
        self.id = id
        self.action = action
        self.resource = resource
        self.timeout = timeout
        self.monitorInterval = monitorInterval
    }

    enum CodingKeys: String, CodingKey {
        case v, id, action, resource, timeout
        case monitorInterval = "monitor_interval"
    }

    public static let actions: Set<String> = ["probe", "monitor", "start", "stop"]
}

public struct AgentReply: Codable, Sendable, Hashable {
    public var v: Int = AgentProtocol.version
    public var id: String
    /// The OCF exit code.
    public var code: Int32
    public var output: String

    public init(id: String, code: Int32, output: String) {
        self.id = id
        self.code = code
        self.output = output
    }
}

public enum AgentMessage: Sendable, Hashable {
    case heartbeat(Heartbeat)
    case status(StatusChange)
    case request(AgentRequest)
    case reply(AgentReply)

    public var subject: String {
        switch self {
        case .heartbeat: return "heartbeat"
        case .status: return "status"
        case .request: return "request"
        case .reply: return "reply"
        }
    }
}
