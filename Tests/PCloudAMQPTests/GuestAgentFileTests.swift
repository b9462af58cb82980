import Foundation
import PCloudAMQP
import PCloudModel
import Testing

@testable import pcloud_agent

/// The agent.json the controller makes for a guest is read by pcloud-agent as meant: the same
/// broker, identity and heartbeat.
@Suite struct GuestAgentFileTests {
    static let assembly = Assembly(
        name: "web", agent: AgentSettings(heartbeat: .milliseconds(500), missedHeartbeats: 4),
        resources: [Resource(name: "www", resourceClass: .ocf, type: "apache", provider: "heartbeat")])

    @Test func theAgentReadsTheFileTheControllerWrites() throws {
        let file = GuestAgentFile(
            broker: .init(host: "10.0.2.2", port: 5673, user: "pcloud-shop", password: "s3cret", caPEM: "PEM"),
            deployable: "shop", assembly: Self.assembly)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("agent-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: path) }
        try file.json().write(to: path)
        let config = try AgentConfig.load(path.path)

        #expect(config.deployable == "shop" && config.assembly == "web")
        #expect(config.heartbeatSeconds == 0.5)
        #expect(config.endpoint.host == "10.0.2.2" && config.endpoint.port == 5673)
        #expect(config.broker.user == "pcloud-shop" && config.broker.password == "s3cret")
        #expect(config.broker.ca == GuestAgentFile.caPathInGuest)
        // Resources are not listed: the agent watches what the controller starts, as it starts it.
        #expect(config.resources.isEmpty)
    }

    @Test func aPlainBrokerHasNoCAAndThePasswordIsNeverShown() throws {
        let broker = GuestAgentFile.Broker(host: "127.0.0.1", port: 5672, user: "pcloud-shop", password: "s3cret")
        let file = GuestAgentFile(broker: broker, deployable: "shop", assembly: Assembly(name: "db"))
        let object = try JSONSerialization.jsonObject(with: file.json()) as? [String: Any]
        let written = object?["broker"] as? [String: Any]
        #expect(written?["ca"] == nil && written?["password"] as? String == "s3cret")
        #expect(object?["heartbeat_seconds"] as? Double == 1)
        #expect(!"\(broker)".contains("s3cret") && !"\(file)".contains("s3cret"), "\(file)")
        #expect(broker.isLoopback)
    }
}
