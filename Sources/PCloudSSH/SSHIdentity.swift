/// The client key a session authenticates with (ed25519 recommended): an OpenSSH private key
/// file without passphrase, and its public half (by default the same path plus `.pub`).
public struct SSHIdentity: Sendable, Hashable {
    public var privateKeyPath: String
    public var publicKeyPath: String

    public init(privateKeyPath: String, publicKeyPath: String? = nil) {
        self.privateKeyPath = privateKeyPath
        self.publicKeyPath = publicKeyPath ?? privateKeyPath + ".pub"
    }
}

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

/// What a remote command did: exit status (or signal) and its bounded output.
public struct SSHExecResult: Sendable, Hashable {
    public var exitStatus: Int32
    /// The signal that ended the command (`TERM`, `KILL`), when one did.
    public var exitSignal: String?
    public var stdout: String
    public var stderr: String
    /// True when the command wrote more than the capture limit (the rest was read and dropped).
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
}
