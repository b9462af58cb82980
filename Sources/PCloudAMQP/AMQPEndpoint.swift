/// Where the broker is and how to log in (SASL PLAIN).
public struct AMQPEndpoint: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    /// The AMQP container id this client announces (the agent's guest name, or the controller).
    public var containerID: String
    /// Idle timeout in milliseconds: a broker that goes silent (stopped, cut off) is detected.
    public var idleTimeoutMilliseconds: UInt32
    /// TLS (AMQPS) with these checks of the broker's certificate; nil for plain TCP.
    public var tls: AMQPTLS?

    public init(
        host: String, port: Int = 5672, user: String, password: String, containerID: String,
        idleTimeoutMilliseconds: UInt32 = 10_000, tls: AMQPTLS? = nil
    ) {
        self.tls = tls
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.containerID = containerID
        self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
    }
}

/// Exponential reconnect delays: `initial`, doubling up to `maximum`.
public struct ReconnectBackoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The delay before reconnect attempt `attempt` (0 for the first retry after a loss).
    public func delay(attempt: Int) -> Duration {
        let factor = 1 << min(max(attempt, 0), 20)
        let delay = initial * factor
        return min(delay, maximum)
    }
}

/// The client's own connection to the broker, as its users see it.
public enum AMQPConnectionState: Sendable, Hashable {
    case connected
    case disconnected(reason: String)
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
