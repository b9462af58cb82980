import Foundation

/// One guest: a VM (or an existing host) and the resources that run in it.
public struct Assembly: Sendable, Equatable, Codable {
    public var name: String
    /// The base image (jeos) the guest is built from, e.g. `debian12`.
    public var image: String?
    public var memoryMiB: Int
    public var vcpus: Int
    /// A fixed address: for `static` infrastructure (existing hosts), or assigned by pcloud.
    public var address: String?
    public var ssh: SSHSettings
    public var agent: AgentSettings
    public var escalation: EscalationLimit?
    public var resources: [Resource]
    /// The uuid the original's shell gave the guest (kept from its XML; pcloud does not need one).
    public var uuid: UUID?

    public init(
        name: String, image: String? = nil, memoryMiB: Int = 256, vcpus: Int = 1,
        address: String? = nil, ssh: SSHSettings = SSHSettings(),
        agent: AgentSettings = AgentSettings(), escalation: EscalationLimit? = nil,
        resources: [Resource] = [], uuid: UUID? = nil
    ) {
        self.name = name
        self.image = image
        self.memoryMiB = memoryMiB
        self.vcpus = vcpus
        self.address = address
        self.ssh = ssh
        self.agent = agent
        self.escalation = escalation
        self.resources = resources
        self.uuid = uuid
    }

    public func resource(named name: String) -> Resource? {
        resources.first { $0.name == name }
    }
}

/// How the controller reaches the guest over ssh.
public struct SSHSettings: Sendable, Equatable, Codable {
    public var user: String
    public var port: Int
    /// The pinned host key (`ssh-ed25519 AAAA...`); recorded at build time or first contact.
    public var hostKey: String?

    public init(user: String = "root", port: Int = 22, hostKey: String? = nil) {
        self.user = user
        self.port = port
        self.hostKey = hostKey
    }
}

/// The guest agent (AMQP monitoring method).
public struct AgentSettings: Sendable, Hashable, Codable {
    public var heartbeat: Duration
    /// Missed heartbeats before the assembly is unreachable.
    public var missedHeartbeats: Int

    public init(heartbeat: Duration = .seconds(1), missedHeartbeats: Int = 3) {
        self.heartbeat = heartbeat
        self.missedHeartbeats = missedHeartbeats
    }
}
