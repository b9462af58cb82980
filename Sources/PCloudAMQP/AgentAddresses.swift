/// Where agent-protocol messages travel on RabbitMQ's AMQP 1.0 plugin.
///
/// Agents publish to the `amq.topic` exchange with routing key `DEPLOYABLE.ASSEMBLY.KIND`; the
/// broker's topic permissions limit a deployable's guest user to keys starting `DEPLOYABLE.`.
/// Requests go to one queue per guest, `pcloud.DEPLOYABLE.ASSEMBLY.requests`, which only that
/// deployable's user may read.
public enum AgentAddresses {
    public static func heartbeat(deployable: String, assembly: String) -> String {
        "/topic/\(deployable).\(assembly).heartbeat"
    }

    public static func status(deployable: String, assembly: String) -> String {
        "/topic/\(deployable).\(assembly).status"
    }

    public static func replies(deployable: String, assembly: String) -> String {
        "/topic/\(deployable).\(assembly).reply"
    }

    public static func requests(deployable: String, assembly: String) -> String {
        "/queue/pcloud.\(deployable).\(assembly).requests"
    }

    /// What the controller receives, on three links (each a private queue the broker binds to
    /// `amq.topic`): every agent's heartbeats, where only the newest counts, and its status
    /// changes and replies, none of which may be lost. `#` (zero or more words) rather than `*.*`,
    /// so a name with a dot in it would still be heard; the last word alone tells the kinds apart.
    public static let controllerHeartbeats = "/topic/#.heartbeat"
    public static let controllerStatuses = "/topic/#.status"
    public static let controllerReplies = "/topic/#.reply"
}
