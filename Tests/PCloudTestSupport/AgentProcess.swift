import Foundation

/// A real pcloud-agent process (the built binary) with its own config and boot-id file.
public final class AgentProcess: @unchecked Sendable {
    public let directory: URL
    public let configPath: String
    public private(set) var process: ManagedProcess

    /// `resources` are JSON objects for the config's `resources` list (monitored locally).
    public init(
        broker: BrokerProcess, deployable: String, assembly: String, password: String, bootID: String,
        heartbeat: Double = 1, resources: [[String: Any]] = [], port: UInt16? = nil, tlsCA: String? = nil
    ) throws {
        directory = URL(fileURLWithPath: "/tmp/pcloud-agent-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configPath = directory.appendingPathComponent("agent.json").path
        var brokerSettings: [String: Any] = [
            "host": "127.0.0.1", "port": Int(port ?? broker.port), "user": "pcloud-\(deployable)", "password": password,
        ]
        if let tlsCA { brokerSettings["ca"] = tlsCA }
        let config: [String: Any] = [
            "broker": brokerSettings,
            "deployable": deployable, "assembly": assembly, "heartbeat_seconds": heartbeat,
            "boot_id_path": directory.appendingPathComponent("boot_id").path, "resources": resources,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        try (bootID + "\n").write(to: directory.appendingPathComponent("boot_id"), atomically: true, encoding: .utf8)
        process = try Self.launch(configPath)
    }

    private static func launch(_ configPath: String) throws -> ManagedProcess {
        try ManagedProcess(
            "pcloud-agent", executable: BuiltProducts.path("pcloud-agent"), arguments: ["--config", configPath])
    }

    /// Starts the agent again as if the guest rebooted with `bootID`.
    public func restart(bootID: String) throws {
        process.stop()
        try (bootID + "\n").write(to: directory.appendingPathComponent("boot_id"), atomically: true, encoding: .utf8)
        process = try Self.launch(configPath)
    }

    public var log: String { process.logText() }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
