/// What the controller asks an infrastructure driver (libvirt, OpenStack, static hosts) to do.
/// Drivers live in their own targets (PCloudLibvirt, PCloudOpenStack); the engine only sees this.
public protocol Infrastructure: Sendable {
    /// `libvirt`, `openstack`, `static`: used in events and logs.
    var kind: String { get }

    /// Whether fencing really switches the guest off (false for static hosts, where fencing only
    /// drops the session): the event log must not say "confirmed off" when nothing was.
    var fencingSwitchesOff: Bool { get }

    /// Makes the guest exist and run (define or create it when absent, start it when off).
    /// Idempotent: a running guest is left alone. Returns what is known once it is started.
    func start(_ guest: GuestSpec) async throws -> GuestInfo

    /// Fencing: force the guest off (destroy / os-stop / delete) and return only once it is
    /// confirmed off, so two copies of one assembly never run.
    func fence(_ guest: GuestName) async throws

    /// Graceful shutdown, forced off after `grace`.
    func stop(_ guest: GuestName, grace: Duration) async throws

    /// Removes the guest and what was made for it (definition, overlay disk, server).
    func remove(_ guest: GuestName) async throws

    /// The guests this driver finds marked as pcloud's (libvirt metadata, Nova metadata), so a
    /// restarted controller adopts them instead of starting copies. `deployable` nil = all.
    func guests(of deployable: String?) async throws -> [GuestInfo]

    /// Power-state changes the infrastructure reports by itself (libvirt lifecycle events), so a
    /// crashed guest is noticed without waiting for a liveness probe. Drivers without events
    /// return a stream that never yields.
    func events() -> AsyncStream<GuestEvent>
}

/// A guest is named by its deployable and assembly; drivers derive their own names from it
/// (libvirt domain `pcloud-DEPLOYABLE-ASSEMBLY`, Nova server name, ...).
public struct GuestName: Sendable, Hashable, Codable, CustomStringConvertible {
    public var deployable: String
    public var assembly: String

    public init(deployable: String, assembly: String) {
        self.deployable = deployable
        self.assembly = assembly
    }

    public var description: String { "\(deployable)/\(assembly)" }
}

/// Everything a driver needs to build and start one assembly's guest.
public struct GuestSpec: Sendable, Hashable {
    public var name: GuestName
    public var deployableUUID: String
    /// The base image (jeos) name, e.g. `debian12`.
    public var image: String?
    public var memoryMiB: Int
    public var vcpus: Int
    /// A fixed address to give the guest (or the existing host's address for `static`).
    public var address: String?
    /// The deployable's public key the controller logs in with (`ssh-ed25519 AAAA...`).
    public var authorizedKey: String?
    /// For the agent monitor method: what the guest's pcloud-agent is told (the driver writes it
    /// into the guest); nil for ssh-monitored guests.
    public var agent: GuestAgentFile?

    public init(
        name: GuestName, deployableUUID: String, image: String? = nil, memoryMiB: Int = 256,
        vcpus: Int = 1, address: String? = nil, authorizedKey: String? = nil, agent: GuestAgentFile? = nil
    ) {
        self.name = name
        self.deployableUUID = deployableUUID
        self.image = image
        self.memoryMiB = memoryMiB
        self.vcpus = vcpus
        self.address = address
        self.authorizedKey = authorizedKey
        self.agent = agent
    }
}

/// A guest as the infrastructure sees it.
public struct GuestInfo: Sendable, Hashable, Codable {
    public var name: GuestName
    /// The driver's own id (libvirt domain UUID, Nova server id).
    public var id: String
    public var power: GuestPower
    public var address: String?
    /// The guest's ssh host key when the driver made it (pinned without trust on first use).
    public var hostKey: String?

    public init(name: GuestName, id: String, power: GuestPower, address: String? = nil, hostKey: String? = nil) {
        self.name = name
        self.id = id
        self.power = power
        self.address = address
        self.hostKey = hostKey
    }
}

/// Power state of a guest, from the infrastructure's point of view.
public enum GuestPower: String, Sendable, Hashable, Codable, CaseIterable {
    case running, starting, paused, stopped, crashed, absent, unknown
}

/// Something the infrastructure reported about a guest.
public struct GuestEvent: Sendable, Hashable {
    public var name: GuestName
    public var power: GuestPower
    /// What happened, in words: `destroyed`, `crashed`, `shut down`, `started`.
    public var reason: String

    public init(name: GuestName, power: GuestPower, reason: String) {
        self.name = name
        self.power = power
        self.reason = reason
    }
}

extension Infrastructure {
    public var fencingSwitchesOff: Bool { true }
}
