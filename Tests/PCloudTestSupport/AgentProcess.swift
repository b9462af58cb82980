import Foundation

/// A real pcloud-agent process (the built binary) with its own config and boot-id file.
public final class AgentProcess: @unchecked Sendable {
    public let directory: URL
    public let configPath: String
    public private(set) var process: ManagedProcess
    /// The network namespace the agent runs in (`ip netns exec` execs it: the PID is the agent's).
    public let namespace: String?

    /// `resources` are JSON objects for the config's `resources` list (monitored locally).
    public init(
        broker: BrokerProcess, deployable: String, assembly: String, password: String, bootID: String,
        heartbeat: Double = 1, resources: [[String: Any]] = [], host: String = "127.0.0.1", port: UInt16? = nil,
        tlsCA: String? = nil, namespace: String? = nil
    ) throws {
        self.namespace = namespace
        directory = URL(fileURLWithPath: "/tmp/pcloud-agent-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configPath = directory.appendingPathComponent("agent.json").path
        var brokerSettings: [String: Any] = [
            "host": host, "port": Int(port ?? broker.port), "user": "pcloud-\(deployable)", "password": password,
        ]
        if let tlsCA { brokerSettings["ca"] = tlsCA }
        let config: [String: Any] = [
            "broker": brokerSettings,
            "deployable": deployable, "assembly": assembly, "heartbeat_seconds": heartbeat,
            "boot_id_path": directory.appendingPathComponent("boot_id").path, "resources": resources,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        try (bootID + "\n").write(to: directory.appendingPathComponent("boot_id"), atomically: true, encoding: .utf8)
        process = try Self.launch(configPath, namespace: namespace)
    }

    private static func launch(_ configPath: String, namespace: String?) throws -> ManagedProcess {
        let agent = [BuiltProducts.path("pcloud-agent"), "--config", configPath]
        let command = (namespace.map { ["/usr/sbin/ip", "netns", "exec", $0] } ?? []) + agent
        return try ManagedProcess("pcloud-agent", executable: command[0], arguments: Array(command.dropFirst()))
    }

    /// Starts the agent again as if the guest rebooted with `bootID`.
    public func restart(bootID: String) throws {
        process.stop()
        try (bootID + "\n").write(to: directory.appendingPathComponent("boot_id"), atomically: true, encoding: .utf8)
        process = try Self.launch(configPath, namespace: namespace)
    }

    public var log: String { process.logText() }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
