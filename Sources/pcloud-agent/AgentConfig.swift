import Foundation
import PCloudAMQP

/// `/etc/pcloud/agent.json`, written into the guest image when it is built:
/// ```json
/// {"broker": {"host": "192.168.122.1", "port": 5672, "user": "pcloud-demo", "password": "...",
///             "ca": "/etc/pcloud/broker-ca.pem"},   # optional: TLS (AMQPS) checked against this CA
///  "deployable": "demo", "assembly": "web", "heartbeat_seconds": 1,
///  "resources": [{"name": "web", "class": "systemd", "type": "nginx", "params": {},
///                 "interval_seconds": 10, "timeout_seconds": 20}]}
/// ```
/// `boot_id_path` (default `/proc/sys/kernel/random/boot_id`) and `uptime_path` (`/proc/uptime`)
/// may be changed for tests.
struct AgentConfig: Decodable, Sendable {
    struct Broker: Decodable, Sendable {
        var host: String
        var port: Int?
        var user: String
        var password: String
        /// CA certificates (PEM) the broker's certificate must chain to: TLS (AMQPS) when set.
        var ca: String?
    }

    /// A resource whose monitor the agent runs by itself, pushing changes at once.
    struct MonitoredResource: Decodable, Sendable, Hashable {
        var spec: ResourceSpec
        var interval: Double
        var timeout: Double

        enum CodingKeys: String, CodingKey {
            case interval = "interval_seconds"
            case timeout = "timeout_seconds"
        }

        init(spec: ResourceSpec, interval: Double, timeout: Double) {
            self.spec = spec
            self.interval = interval
            self.timeout = timeout
        }

        init(from decoder: any Decoder) throws {
            spec = try ResourceSpec(from: decoder)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            interval = try container.decodeIfPresent(Double.self, forKey: .interval) ?? 10
            timeout = try container.decodeIfPresent(Double.self, forKey: .timeout) ?? 20
        }
    }

    var broker: Broker
    var deployable: String
    var assembly: String
    var heartbeatSeconds: Double
    var bootIDPath: String
    var uptimePath: String
    var resources: [MonitoredResource]

    enum CodingKeys: String, CodingKey {
        case broker, deployable, assembly, resources
        case heartbeatSeconds = "heartbeat_seconds"
        case bootIDPath = "boot_id_path"
        case uptimePath = "uptime_path"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        broker = try container.decode(Broker.self, forKey: .broker)
        deployable = try container.decode(String.self, forKey: .deployable)
        assembly = try container.decode(String.self, forKey: .assembly)
        heartbeatSeconds = try container.decodeIfPresent(Double.self, forKey: .heartbeatSeconds) ?? 1
        bootIDPath = try container.decodeIfPresent(String.self, forKey: .bootIDPath) ?? "/proc/sys/kernel/random/boot_id"
        uptimePath = try container.decodeIfPresent(String.self, forKey: .uptimePath) ?? "/proc/uptime"
        resources = try container.decodeIfPresent([MonitoredResource].self, forKey: .resources) ?? []
    }

    static func load(_ path: String) throws -> AgentConfig {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let config = try JSONDecoder().decode(AgentConfig.self, from: data)
        try checkSeconds(config.heartbeatSeconds, "heartbeat_seconds")
        for resource in config.resources {
            try checkSeconds(resource.interval, "resources[\(resource.spec.name)].interval_seconds")
            try checkSeconds(resource.timeout, "resources[\(resource.spec.name)].timeout_seconds")
        }
        return config
    }

    var endpoint: AMQPEndpoint {
        AMQPEndpoint(
            host: broker.host, port: broker.port ?? 5672, user: broker.user, password: broker.password,
            containerID: "pcloud-agent:\(deployable)/\(assembly)", tls: broker.ca.map { AMQPTLS(caFile: $0) })
    }

    /// A number of seconds the agent sleeps or waits: positive, finite and at most a day, so no
    /// conversion to a Duration can trap.
    private static func checkSeconds(_ value: Double, _ field: String) throws {
        guard value.isFinite, value > 0, value <= 86_400 else {
            throw AgentFailure("\(field) must be a number of seconds above 0 and at most 86400, not \(value)")
        }
    }
}

struct AgentFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Timestamped lines on stderr (the journal under systemd).
enum AgentLog {
    static func write(_ line: String) {
        let stamp = Date().formatted(.iso8601)
        FileHandle.standardError.write(Data("\(stamp) pcloud-agent: \(line)\n".utf8))
    }
}
