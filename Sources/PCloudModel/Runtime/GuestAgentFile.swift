import Foundation

/// What a guest's pcloud-agent is told: the contents of `/etc/pcloud/agent.json` (and the broker's
/// CA, when it uses TLS), made by the controller from the definition and written into the guest by
/// its infrastructure driver (libvirt: the seed disk). The format is pcloud-agent's (see
/// Sources/pcloud-agent/AgentConfig.swift): broker, deployable, assembly and heartbeat.
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

    public var broker: Broker
    public var deployable: String
    public var assembly: String
    public var heartbeat: Duration

    /// Where the guest keeps the broker's CA (written beside agent.json).
    public static let caPathInGuest = "/etc/pcloud/broker-ca.pem"

    /// The agent's file for one assembly of `deployable`. It lists no resources: the agent
    /// watches each one the controller starts or finds running (the requests say how often), with
    /// the parameters the controller resolved, until the controller stops it.
    public init(broker: Broker, deployable: String, assembly: Assembly) {
        self.broker = broker
        self.deployable = deployable
        self.assembly = assembly.name
        heartbeat = assembly.agent.heartbeat
    }

    /// `agent.json`, readable only by its owner in the guest (it holds the password).
    public func json() throws -> Data {
        var brokerObject: [String: Any] = [
            "host": broker.host, "port": broker.port, "user": broker.user, "password": broker.password,
        ]
        if broker.caPEM != nil { brokerObject["ca"] = Self.caPathInGuest }
        let object: [String: Any] = [
            "broker": brokerObject, "deployable": deployable, "assembly": assembly,
            "heartbeat_seconds": heartbeat.seconds,
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }
}
