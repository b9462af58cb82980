/// A controller of the cluster as the store last heard from it. Times are the database's clock.
public struct ClusterMember: Sendable, Equatable, Codable {
    public var controller: String
    /// Where its API is reached, as it announced it.
    public var address: String
    /// Seconds since its last heartbeat, by the database's clock.
    public var heartbeatAge: Double
    /// When it first heartbeat (seconds since 1970, the database's clock).
    public var startedAt: Double

    public init(controller: String, address: String, heartbeatAge: Double, startedAt: Double) {
        self.controller = controller
        self.address = address
        self.heartbeatAge = heartbeatAge
        self.startedAt = startedAt
    }
}

/// Who owns a deployable: the holder of its lease, under which epoch, until when.
public struct DeployableLease: Sendable, Equatable, Codable {
    public var deployable: String
    /// Nil once released (and until claimed again).
    public var holder: String?
    /// Grows by one with every claim and never goes back: the fencing token of the holder's writes.
    public var epoch: Int64
    /// Seconds until the lease expires by the database's clock; zero or less when it has.
    public var expiresIn: Double

    public init(deployable: String, holder: String?, epoch: Int64, expiresIn: Double) {
        self.deployable = deployable
        self.holder = holder
        self.epoch = epoch
        self.expiresIn = expiresIn
    }

    /// Whether a claim would be refused now.
    public var isHeld: Bool { holder != nil && expiresIn > 0 }
}
