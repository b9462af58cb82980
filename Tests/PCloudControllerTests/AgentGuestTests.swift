import Foundation
import PCloudTestSupport
import Testing

/// The agent method on a guest pcloud builds: a real cped with a private RabbitMQ defines a QEMU
/// guest (TCG) from the debian12 image under a real libvirtd. Nothing is set up by hand inside it:
/// cped makes the deployable's broker user (through broker/pcloud-broker-users), the libvirt
/// driver puts agent.json on the seed disk with the broker as the guest reaches it (QEMU user
/// networking's 10.0.2.2), and the image's pcloud-agent joins the broker as that user. The guest
/// is then watched only through its agent: resources started by request, a failure inside
/// pushed and repaired, a frozen agent judged lost after its missed heartbeats, the guest fenced
/// and started again, its new agent heard.
@Suite(.serialized, .enabled(if: AgentGuest.missing == nil, "\(AgentGuest.missing ?? "")"))
struct AgentGuestTests {
    @Test func aGuestPcloudBuildsJoinsTheBrokerAsItsDeployableAndIsWatchedByItsAgent() async throws {
        try await LibvirtDaemon.using {
            let world = try AgentGuest()
            defer { world.remove() }
            try await world.run()
        }
    }
}

/// One deployable of one debian12 guest watched by its agent, with its own broker and cped.
final class AgentGuest: @unchecked Sendable {
    static var missing: String? { BrokerProcess.missing ?? LibvirtDaemon.debianImageMissing }

    let name = "agt\(UUID().uuidString.prefix(6).lowercased())"
    let broker: BrokerProcess
    let cped: ControllerProcess
    let files: URL

    init() throws {
        broker = try BrokerProcess()
        files = URL(fileURLWithPath: "/tmp/pcloud-agentguest-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        // cped makes broker users with the shipped script, pointed at this private broker.
        let users = files.appendingPathComponent("broker-users")
        let environment = broker.environment.merging(["RABBITMQCTL": BrokerProcess.ctlExecutable]) { $1 }
        let exports = environment.sorted { $0.key < $1.key }.map { "export \($0.key)='\($0.value)'" }
        let script = BuiltProducts.packageRoot.appendingPathComponent("broker/pcloud-broker-users").path
        try (["#!/bin/sh"] + exports + ["exec /bin/sh '\(script)' \"$@\"", ""]).joined(separator: "\n")
            .write(to: users, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: users.path)
        cped = try ControllerProcess(extraArguments: [
            "--broker", "127.0.0.1:\(broker.port)", "--broker-password-file",
            broker.directory.appendingPathComponent("controller.password").path, "--broker-users-command", users.path,
        ])
    }

    /// The app's state lives in the guest's /run: gone when the guest restarts.
    var yaml: String {
        """
        name: \(name)
        infrastructure: {type: libvirt, uri: "qemu:///system"}
        monitor: {method: agent, interval: 3s, timeout: 10s}
        assemblies:
          - name: web
            image: debian12
            memory: 384
            agent: {heartbeat: 1s, missed-heartbeats: 3}
            resources:
              - name: app
                class: exec
                exec:
                  monitor: "test -f /run/app.state || exit 7"
                  start: "touch /run/app.state; echo started >> /var/log/app.log"
                  stop: "rm -f /run/app.state"
                monitor: {interval: 2s, timeout: 10s}

        """
    }

    func run() async throws {
        let created = try await APIClient.unix(cped.socketPath).call(.POST, "/v1/deployables", body: yaml)
        #expect(created.status == 201, "\(created.text)")
        let started = try pcloudsh(["deployable_start", name, "--wait", "--timeout", "300s"])
        #expect(started.status == 0, "\(started.output)\n\(diagnostics)")
        try #require(started.status == 0)

        let history = try await events()
        if let start = history.first(where: { $0["kind"] as? String == "assembly.start" })?["at"] as? Double,
            let heard = history.first(where: { $0["kind"] as? String == "assembly.reachable" })?["at"] as? Double
        {
            print("measured: guest start to its agent's first heartbeat under TCG: \(String(format: "%.1f", heard - start)) s")
        }

        // cped made the deployable's own broker user; its password is kept private and never logged.
        let users = try broker.rabbitmqctl(["-q", "list_users"])
        #expect(users.output.contains("pcloud-\(name)"), "\(users.output)")
        let passwordFile = URL(fileURLWithPath: cped.storePath).deletingLastPathComponent()
            .appendingPathComponent("broker-users/\(name).password").path
        let password = try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let mode = try FileManager.default.attributesOfItem(atPath: passwordFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(!password.isEmpty && !cped.log.contains(password), "the guests' broker password is in cped's log")

        // Inside: the agent runs from the image with the file the seed disk brought, readable by root only.
        let inside = try await guest("stat -c %a /etc/pcloud/agent.json; systemctl is-active pcloud-agent; cat /var/log/app.log")
        let lines = inside.output.split(separator: "\n").map(String.init)
        #expect(lines.prefix(2) == ["600", "active"], "\(inside.output)")
        #expect(lines.filter { $0 == "started" }.count == 1, "the app was started by the agent once: \(inside.output)")

        // The app killed inside: detected (the agent pushes it) and restarted in place.
        var mark = try await lastSeq()
        _ = try await guest("rm -f /run/app.state")
        let restart = try await waitFor("resource.restart", after: mark)
        #expect(restart.first?["resource"] as? String == "app", "\(diagnostics)")
        #expect(try await waitForState("running", after: mark, seconds: 60), "\(diagnostics)")
        #expect(try await guest("test -f /run/app.state").status == 0)

        // The agent frozen: no heartbeats; lost after 3 missed, fenced, the guest started again,
        // and its agent (a new boot) brings it back with the app started anew.
        mark = try await lastSeq()
        _ = try await guest("pkill -STOP -x pcloud-agent")
        let lost = try await waitFor("assembly.restart", after: mark, seconds: 60)
        let reason = lost.first?["message"] as? String ?? ""
        #expect(reason.contains("assembly web was lost") && reason.contains("(3 missed"), "\(reason)\n\(diagnostics)")
        print("measured: frozen agent: \(reason)")
        #expect(try await waitFor("assembly.fenced", after: mark, seconds: 60).count == 1, "\(diagnostics)")
        #expect(try await waitForState("running", after: mark, seconds: 300), "\(diagnostics)")
        #expect(try await guest("test -f /run/app.state").status == 0)

        let stopped = try pcloudsh(["deployable_stop", name, "--wait", "--timeout", "120s"])
        #expect(stopped.status == 0, "\(stopped.output)\n\(diagnostics)")
    }

    // MARK: - Helpers

    func pcloudsh(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runCommand(BuiltProducts.path("pcloudsh"), arguments + ["--socket", cped.socketPath])
    }

    /// A command in the guest over ssh with the controller's key (the test's own look inside).
    func guest(_ command: String) async throws -> (status: Int32, output: String) {
        guard let address = try await address() else { throw ControllerError("the guest has no address yet") }
        return try runCommand(
            "/usr/bin/ssh",
            [
                "-i", "/var/lib/pcloud/ssh/id_ed25519", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20", "root@\(address)", command,
            ])
    }

    func address() async throws -> String? {
        let status = try await APIClient.unix(cped.socketPath).call(.GET, "/v1/deployables/\(name)/status").json as? [String: Any]
        let assemblies = status?["assemblies"] as? [[String: Any]] ?? []
        return assemblies.first?["address"] as? String
    }

    func events() async throws -> [[String: Any]] {
        let answer = try await APIClient.unix(cped.socketPath).call(.GET, "/v1/events?deployable=\(name)&limit=10000")
        return answer.json as? [[String: Any]] ?? []
    }

    func lastSeq() async throws -> Int { try await events().compactMap { $0["seq"] as? Int }.max() ?? 0 }

    func waitFor(_ kind: String, after seq: Int, seconds: Double = 60) async throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let found = try await events().filter { ($0["seq"] as? Int ?? 0) > seq && $0["kind"] as? String == kind }
            if !found.isEmpty || Date() > deadline { return found }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    func waitForState(_ state: String, after seq: Int, seconds: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let reports = try await events().filter {
                ($0["seq"] as? Int ?? 0) > seq && $0["kind"] as? String == "deployable.state"
            }
            if reports.contains(where: { ($0["data"] as? String)?.contains("\"\(state)\"") == true }) { return true }
            try await Task.sleep(for: .milliseconds(500))
        }
        return false
    }

    var diagnostics: String {
        let console =
            (try? String(contentsOfFile: "/var/lib/pcloud/guests/pcloud-\(name)-web/console.log", encoding: .utf8)) ?? ""
        return "cped:\n\(cped.log.suffix(5000))\nconsole:\n\(console.suffix(3000))"
    }

    /// The guest and its files go, with the broker and cped.
    func remove() {
        let domain = "pcloud-\(name)-web"
        _ = try? runCommand("/usr/bin/virsh", ["-c", "qemu:///system", "destroy", domain])
        _ = try? runCommand("/usr/bin/virsh", ["-c", "qemu:///system", "undefine", domain])
        try? FileManager.default.removeItem(atPath: "/var/lib/pcloud/guests/\(domain)")
        cped.stop()
        broker.stop()
        try? FileManager.default.removeItem(at: files)
    }
}
