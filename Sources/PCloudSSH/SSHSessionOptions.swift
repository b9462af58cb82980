/// How a session behaves: keepalive, reconnect backoff, how long a connection attempt may take.
public struct SSHSessionOptions: Sendable, Hashable {
    /// Seconds between keepalive messages on an open session (0 = none).
    public var keepaliveInterval: Int
    /// First reconnect delay after a failure; doubled per further failure up to `maximumBackoff`.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration
    /// Longest a connection (TCP, handshake, authentication) may take before it counts as failed.
    public var connectTimeout: Duration
    /// How long a timed-out command's channel may take to close before the session is dropped.
    public var abandonedChannelGrace: Duration

    public init(
        keepaliveInterval: Int = 15, initialBackoff: Duration = .milliseconds(100),
        maximumBackoff: Duration = .seconds(5), connectTimeout: Duration = .seconds(10),
        abandonedChannelGrace: Duration = .seconds(30)
    ) {
        self.keepaliveInterval = keepaliveInterval
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.connectTimeout = connectTimeout
        self.abandonedChannelGrace = abandonedChannelGrace
    }
}

/// Everything a session needs to connect, fixed when it is created.
struct SSHSessionConfiguration: Sendable {
    var host: String
    var port: Int
    var user: String
    var identity: SSHIdentity
    var pinnedHostKey: String?
    var options: SSHSessionOptions
    /// Told (on the loop thread, so it must only hand off) when an established connection breaks.
    var onLost: (@Sendable (SSHError) -> Void)?
}
