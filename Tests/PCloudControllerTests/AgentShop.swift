import Foundation
import PCloudTestSupport

/// A static deployable of two assemblies monitored by real pcloud-agent processes through a
/// private RabbitMQ, run by a real cped. Each "guest" is an agent process with its assembly's
/// identity and broker credentials; its resource is an exec resource whose state is a file.
final class AgentShop: @unchecked Sendable {
    static let deployable = "shop"
    static let password = "shop-secret"
    let broker: BrokerProcess
    let cped: ControllerProcess
    let files: URL
    /// With TLS: the CA that signed the broker's certificate; everyone connects to `port` with AMQPS.
    let certificates: TestCertificates?
    let port: UInt16
    private(set) var agents: [String: AgentProcess] = [:]
    /// Each agent's own network namespace, reaching the broker over a veth pair (when asked for).
    private(set) var networks: [String: NetworkNamespace] = [:]
    /// Each assembly's agent heartbeat, as its definition says (what an image build writes).
    let heartbeats: [String: Double] = ["db": 1, "web": 1]

    init(tls: Bool = false, namespaces: Bool = false) throws {
        certificates = tls ? try TestCertificates() : nil
        let tlsPort = try BrokerProcess.freePort()
        let guestPort = try BrokerProcess.freePort()
        var networks: [String: NetworkNamespace] = [:]
        if namespaces {
            let first = Int.random(in: 0...254)
            networks = ["db": try NetworkNamespace(subnet: first), "web": try NetworkNamespace(subnet: first + 1)]
        }
        self.networks = networks
        // The broker also listens on each namespace's side of its veth pair, as on a guest network.
        let guestListeners = networks.map { "listeners.tcp.\($0.key) = \($0.value.hostAddress):\(guestPort)" }
        broker = try BrokerProcess(
            extraConfig: ([certificates?.listenerConfig(port: tlsPort) ?? ""] + guestListeners).joined(separator: "\n"))
        port = tls ? tlsPort : broker.port
        let port = port
        guard waitUntil(timeout: 30, { portIsOpen("127.0.0.1", port) }) else {
            throw ControllerError("the broker does not listen on \(port): \(broker.log.suffix(2000))")
        }
        try broker.addDeployableUser(Self.deployable, password: Self.password)
        files = URL(fileURLWithPath: "/tmp/pcloud-agentshop-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        cped = try ControllerProcess(
            extraArguments: [
                "--broker", "127.0.0.1:\(port)", "--broker-password-file",
                broker.directory.appendingPathComponent("controller.password").path,
            ] + (certificates.map { ["--broker-ca", $0.path("ca.pem")] } ?? []))
        for (assembly, resource) in [("db", "store"), ("web", "app")] {
            agents[assembly] = try AgentProcess(
                broker: broker, deployable: Self.deployable, assembly: assembly, password: Self.password,
                bootID: "boot-\(assembly)", heartbeat: heartbeats[assembly]!, resources: [localMonitor(resource)],
                host: networks[assembly]?.hostAddress ?? "127.0.0.1", port: networks.isEmpty ? port : guestPort,
                tlsCA: certificates?.path("ca.pem"), namespace: networks[assembly]?.name)
        }
    }

    func path(_ name: String) -> String { files.appendingPathComponent(name).path }

    func commands(_ resource: String) -> (monitor: String, start: String, stop: String) {
        (
            "test -f \(path(resource + ".state")) || exit 7",
            "touch \(path(resource + ".state")); echo start >> \(path(resource + ".log"))",
            "rm -f \(path(resource + ".state"))"
        )
    }

    /// The resource as the agent's configuration lists it: monitored inside the guest every second.
    func localMonitor(_ resource: String) -> [String: Any] {
        let commands = commands(resource)
        return [
            "name": resource, "class": "exec", "type": resource, "params": [String: String](),
            "commands": ["monitor": commands.monitor], "interval_seconds": 1, "timeout_seconds": 5,
        ]
    }

    /// The controller polls resources only every 10 minutes: a failure it sees within the test was
    /// pushed by the agent. db judges its agent lost after 2 missed heartbeats, web after the default 3.
    var yaml: String {
        func resource(_ name: String) -> String {
            let commands = commands(name)
            return """
                      - name: \(name)
                        class: exec
                        exec:
                          monitor: "\(commands.monitor)"
                          start: "\(commands.start)"
                          stop: "\(commands.stop)"
                        monitor: {interval: 10m, timeout: 5s}
                """
        }
        return """
            name: \(Self.deployable)
            infrastructure: {type: static}
            monitor: {method: agent, interval: 1s, timeout: 2s}
            assemblies:
              - name: db
                address: \(address("db"))
                agent: {heartbeat: 1s, missed-heartbeats: 2}
                resources:
            \(resource("store"))
              - name: web
                address: \(address("web"))
                resources:
            \(resource("app"))

            """
    }

    func agent(_ assembly: String) -> AgentProcess { agents[assembly]! }

    /// The guest's address: inside its namespace, or loopback.
    func address(_ assembly: String) -> String { networks[assembly]?.guestAddress ?? "127.0.0.1" }

    func pcloudsh(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runCommand(BuiltProducts.path("pcloudsh"), arguments + ["--socket", cped.socketPath])
    }

    func events() async throws -> [[String: Any]] {
        let answer = try await APIClient.unix(cped.socketPath).call(
            .GET, "/v1/events?deployable=\(Self.deployable)&limit=10000")
        return answer.json as? [[String: Any]] ?? []
    }

    func kinds() async throws -> [String] { try await events().compactMap { $0["kind"] as? String } }

    /// The last event's sequence number.
    func lastSeq() async throws -> Int { try await events().compactMap { $0["seq"] as? Int }.max() ?? 0 }

    /// Events after `seq` of `kind`, waiting (up to `seconds`) until there are `count` of them.
    @discardableResult
    func waitFor(_ kind: String, count: Int = 1, after seq: Int = 0, seconds: Double = 60) async throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let found = try await events().filter { ($0["seq"] as? Int ?? 0) > seq && $0["kind"] as? String == kind }
            if found.count >= count || Date() > deadline { return found }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Waits until the deployable reports `state` in a `deployable.state` event after `seq`.
    func waitForState(_ state: String, after seq: Int, seconds: Double = 90) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let reports = try await events().filter {
                ($0["seq"] as? Int ?? 0) > seq && $0["kind"] as? String == "deployable.state"
            }
            if reports.contains(where: { ($0["data"] as? String)?.contains("\"\(state)\"") == true }) { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    func stateOf(_ assembly: String, _ resource: String) async throws -> String? {
        let status =
            try await APIClient.unix(cped.socketPath).call(.GET, "/v1/deployables/\(Self.deployable)/status").json
            as? [String: Any]
        let assemblies = status?["assemblies"] as? [[String: Any]] ?? []
        let resources = assemblies.first { $0["name"] as? String == assembly }?["resources"] as? [[String: Any]] ?? []
        return resources.first { $0["name"] as? String == resource }?["state"] as? String
    }

    /// How often `assembly`'s agent (its current process) has logged `text`.
    func occurrences(_ assembly: String, _ text: String) -> Int {
        agent(assembly).log.components(separatedBy: text).count - 1
    }

    /// True once `assembly`'s agent has logged `text` at least `count` times.
    func agentLogged(_ assembly: String, _ text: String, count: Int = 1, seconds: Double = 30) -> Bool {
        waitUntil(timeout: seconds) { occurrences(assembly, text) >= count }
    }

    var diagnostics: String {
        "cped:\n\(cped.log.suffix(4000))\ndb agent:\n\(agent("db").log.suffix(1500))\nweb agent:\n\(agent("web").log.suffix(1500))"
    }

    func stop() {
        cped.stop()
        agents.removeAll()
        networks.removeAll()
        broker.stop()
        certificates?.remove()
        try? FileManager.default.removeItem(at: files)
    }
}
