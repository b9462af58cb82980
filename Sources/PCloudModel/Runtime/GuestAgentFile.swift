import Foundation

/// What a guest's pcloud-agent is told: the contents of `/etc/pcloud/agent.json` (and the broker's
/// CA, when it uses TLS), made by the controller from the definition and written into the guest by
/// its infrastructure driver (libvirt: the seed disk). The format is pcloud-agent's (see
/// Sources/pcloud-agent/AgentConfig.swift): broker, deployable, assembly, heartbeat, and the
/// resources the agent monitors by itself, pushing a change at once.
public struct GuestAgentFile: Sendable, Hashable {
    /// Where and as whom the guest reaches the broker.
    public struct Broker: Sendable, Hashable, CustomStringConvertible {
        /// As the guest sees it: a driver replaces a loopback address with the host's address on
        /// the guest's network (QEMU user networking: 10.0.2.2).
        public var host: String
        public var port: Int
        /// The deployable's own broker user (`pcloud-DEPLOYABLE`): it may publish only its own
        /// deployable's messages and read only its own request queues.
        public var user: String
        public var password: String
        /// The CA certificates (PEM text) the broker's TLS certificate chains to; nil = plain AMQP.
        public var caPEM: String?

        public init(host: String, port: Int, user: String, password: String, caPEM: String? = nil) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.caPEM = caPEM
        }

        /// Never the password: specs and files may be logged.
        public var description: String { "\(user)@\(host):\(port)\(caPEM == nil ? "" : " (TLS)")" }

        public var isLoopback: Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }
    }

    /// A resource the agent monitors in the guest every `interval`, pushing each change.
    public struct LocalMonitor: Sendable, Hashable {
        public var name: String
        public var resourceClass: ResourceClass
        public var type: String
        public var provider: String?
        /// Literal parameters only (a resource whose parameters refer to other assemblies is
        /// monitored by the controller's polls alone: the values are known only at run time).
        public var parameters: [String: String]
        public var commands: ExecCommands?
        public var timing: OperationTiming
    }

    public var broker: Broker
    public var deployable: String
    public var assembly: String
    public var heartbeat: Duration
    public var monitors: [LocalMonitor]

    /// Where the guest keeps the broker's CA (written beside agent.json).
    public static let caPathInGuest = "/etc/pcloud/broker-ca.pem"

    /// The agent's file for one assembly of `deployable`: its heartbeat setting and every resource
    /// whose parameters are all literal.
    public init(broker: Broker, deployable: String, assembly: Assembly) {
        self.broker = broker
        self.deployable = deployable
        self.assembly = assembly.name
        heartbeat = assembly.agent.heartbeat
        monitors = assembly.resources.compactMap { resource in
            guard resource.references.isEmpty else { return nil }
            var parameters: [String: String] = [:]
            for parameter in resource.parameters {
                if case .literal(let value) = parameter.value { parameters[parameter.name] = value }
            }
            return LocalMonitor(
                name: resource.name, resourceClass: resource.resourceClass, type: resource.type,
                provider: resource.provider, parameters: parameters, commands: resource.commands, timing: resource.monitor)
        }
    }

    /// `agent.json`, readable only by its owner in the guest (it holds the password).
    public func json() throws -> Data {
        var brokerObject: [String: Any] = [
            "host": broker.host, "port": broker.port, "user": broker.user, "password": broker.password,
        ]
        if broker.caPEM != nil { brokerObject["ca"] = Self.caPathInGuest }
        let resources: [[String: Any]] = monitors.map { monitor in
            var object: [String: Any] = [
                "name": monitor.name, "class": monitor.resourceClass.rawValue, "type": monitor.type,
                "params": monitor.parameters, "interval_seconds": monitor.timing.interval.seconds,
                "timeout_seconds": monitor.timing.timeout.seconds,
            ]
            if let provider = monitor.provider { object["provider"] = provider }
            if let commands = monitor.commands {
                var exec = ["monitor": commands.monitor]
                exec["start"] = commands.start
                exec["stop"] = commands.stop
                object["commands"] = exec
            }
            return object
        }
        let object: [String: Any] = [
            "broker": brokerObject, "deployable": deployable, "assembly": assembly,
            "heartbeat_seconds": heartbeat.seconds, "resources": resources,
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }
}
