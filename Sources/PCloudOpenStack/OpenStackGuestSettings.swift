/// How pcloud's guests are built on one cloud: which flavor, image and networks.
public struct OpenStackGuestSettings: Sendable, Hashable {
    /// Flavor id for every guest.
    public var flavor: String
    /// Base image (jeos) name → Glance image id; a spec whose image is absent here is used as an id.
    public var images: [String: String]
    /// Image id for specs that name none.
    public var defaultImage: String?
    /// Network UUIDs; empty = `auto`.
    public var networks: [String]
    /// A Nova keypair to install as well as the deployable's key.
    public var keyName: String?
    /// How long and how often to wait for builds, power changes and deletes.
    public var schedule: PollSchedule
    /// How often `events()` looks at the servers' states.
    public var eventInterval: Duration

    public init(
        flavor: String, images: [String: String] = [:], defaultImage: String? = nil, networks: [String] = [],
        keyName: String? = nil, schedule: PollSchedule = PollSchedule(), eventInterval: Duration = .seconds(10)
    ) {
        self.flavor = flavor
        self.images = images
        self.defaultImage = defaultImage
        self.networks = networks
        self.keyName = keyName
        self.schedule = schedule
        self.eventInterval = eventInterval
    }
}

/// Names and marks of pcloud's servers: the metadata that lets a restarted controller find them.
public enum PCloudServerMetadata {
    public static let deployable = "pcloud_deployable"
    public static let assembly = "pcloud_assembly"
    public static let uuid = "pcloud_uuid"

    public static func serverName(deployable: String, assembly: String) -> String { "pcloud-\(deployable)-\(assembly)" }
}
