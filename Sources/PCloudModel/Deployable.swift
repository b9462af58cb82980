import Foundation

/// A named set of assemblies that serve one task, started and recovered as a whole.
public struct Deployable: Sendable, Equatable, Codable {
    public var name: String
    public var uuid: UUID?
    public var infrastructure: InfrastructureSettings
    public var monitor: MonitorSettings
    public var assemblies: [Assembly]
    /// Start `then` only after `first` runs; stop in reverse.
    public var ordering: [Ordering]
    /// Resources placed by the policy over several assemblies (floating or cloned).
    public var resources: [PlacedResource]
    /// Deployable-level limit: exceeded means stop it and report it failed (no restart loop).
    public var escalation: EscalationLimit?
    public var hooks: Hooks

    public init(
        name: String, uuid: UUID? = nil, infrastructure: InfrastructureSettings = .libvirt(uri: "qemu:///system"),
        monitor: MonitorSettings = MonitorSettings(), assemblies: [Assembly] = [],
        ordering: [Ordering] = [], escalation: EscalationLimit? = nil, hooks: Hooks = Hooks(),
        resources: [PlacedResource] = []
    ) {
        self.name = name
        self.uuid = uuid
        self.infrastructure = infrastructure
        self.monitor = monitor
        self.assemblies = assemblies
        self.ordering = ordering
        self.escalation = escalation
        self.hooks = hooks
        self.resources = resources
    }

    enum CodingKeys: String, CodingKey {
        case name, uuid, infrastructure, monitor, assemblies, ordering, escalation, hooks, resources
    }

    /// Stored definitions from before placed resources existed decode with none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        uuid = try c.decodeIfPresent(UUID.self, forKey: .uuid)
        infrastructure = try c.decode(InfrastructureSettings.self, forKey: .infrastructure)
        monitor = try c.decode(MonitorSettings.self, forKey: .monitor)
        assemblies = try c.decode([Assembly].self, forKey: .assemblies)
        ordering = try c.decode([Ordering].self, forKey: .ordering)
        escalation = try c.decodeIfPresent(EscalationLimit.self, forKey: .escalation)
        hooks = try c.decode(Hooks.self, forKey: .hooks)
        resources = try c.decodeIfPresent([PlacedResource].self, forKey: .resources) ?? []
    }

    public func assembly(named name: String) -> Assembly? {
        assemblies.first { $0.name == name }
    }
}

/// Where the guests run.
public enum InfrastructureSettings: Sendable, Equatable, Codable {
    /// libvirt at `uri` (`qemu:///system`, `test:///default`, ...).
    case libvirt(uri: String)
    /// An OpenStack cloud named in clouds.yaml (or OS_* variables when nil).
    case openstack(cloud: String?, flavor: String?, network: String?)
    /// Existing hosts at their assemblies' fixed addresses; pcloud monitors but cannot recreate them.
    case `static`
}

/// How guests and their resources are monitored.
public struct MonitorSettings: Sendable, Equatable, Codable {
    public enum Method: String, Sendable, Codable, CaseIterable { case ssh, agent }
    public var method: Method
    /// Liveness probe interval (ssh: `uptime`).
    public var interval: Duration
    public var timeout: Duration
    public var keepalive: Duration

    public init(
        method: Method = .ssh, interval: Duration = .seconds(3), timeout: Duration = .seconds(5),
        keepalive: Duration = .seconds(15)
    ) {
        self.method = method
        self.interval = interval
        self.timeout = timeout
        self.keepalive = keepalive
    }
}

/// A resource named across assemblies: `db/mariadb`.
public struct ResourceID: Sendable, Equatable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var assembly: String
    public var resource: String

    public init(assembly: String, resource: String) {
        self.assembly = assembly
        self.resource = resource
    }

    /// Parses `assembly/resource`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(assembly: String(parts[0]), resource: String(parts[1]))
    }

    /// A deployable's placed resource as a whole (every instance, wherever it runs), in ordering.
    public init(placed name: String) { self.init(assembly: "", resource: name) }

    public var isPlaced: Bool { assembly.isEmpty }

    public var description: String { assembly.isEmpty ? resource : "\(assembly)/\(resource)" }

    public static func < (lhs: ResourceID, rhs: ResourceID) -> Bool {
        (lhs.assembly, lhs.resource) < (rhs.assembly, rhs.resource)
    }
}

/// Start `then` only once `first` is running (and stop `then` before `first`).
public struct Ordering: Sendable, Equatable, Hashable, Codable {
    public var first: ResourceID
    public var then: ResourceID

    public init(first: ResourceID, then: ResourceID) {
        self.first = first
        self.then = then
    }
}

/// What runs when the deployable changes state.
public struct Hooks: Sendable, Equatable, Codable {
    /// Run as `SCRIPT STATE` (the original ran /var/lib/pacemaker-cloud/DEPLOYABLE.sh STATE).
    public var script: String?
    /// The event is POSTed here as JSON.
    public var webhook: String?

    public init(script: String? = nil, webhook: String? = nil) {
        self.script = script
        self.webhook = webhook
    }
}
