import Foundation
import PCloudAMQP
import PCloudModel
import Testing

@testable import pcloud_agent

/// The agent.json the controller makes for a guest is read by pcloud-agent as meant: the same
/// broker, identity, heartbeat and resources, parameters that refer to other assemblies left out.
@Suite struct GuestAgentFileTests {
    static let assembly = Assembly(
        name: "web", agent: AgentSettings(heartbeat: .milliseconds(500), missedHeartbeats: 4),
        resources: [
            Resource(
                name: "www", resourceClass: .ocf, type: "apache", provider: "heartbeat",
                parameters: [Parameter(name: "port", value: .literal("8080"))],
                monitor: OperationTiming(interval: .seconds(7), timeout: .seconds(15))),
            Resource(
                name: "app", resourceClass: .exec, type: "app",
                commands: ExecCommands(monitor: "test -f /run/app", start: "touch /run/app", stop: nil)),
            Resource(
                name: "client", resourceClass: .systemd, type: "client",
                parameters: [
                    Parameter(name: "server", value: .reference(ParameterReference(assembly: "db", parameter: .ipaddress)))
                ]),
        ])

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
        // The resource that needs another assembly's address is not watched by the agent.
        #expect(config.resources.map(\.spec.name) == ["www", "app"])
        let www = config.resources[0]
        #expect(
            www.spec
                == ResourceSpec(
                    name: "www", resourceClass: "ocf", type: "apache", provider: "heartbeat", params: ["port": "8080"]))
        #expect(www.interval == 7 && www.timeout == 15)
        #expect(config.resources[1].spec.commands == ExecCommandSpec(monitor: "test -f /run/app", start: "touch /run/app"))
        #expect(try ResourceCommand.build(config.resources[1].spec, action: .monitor).arguments.last == "test -f /run/app")
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
