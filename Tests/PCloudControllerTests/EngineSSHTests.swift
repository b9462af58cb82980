import Foundation
import PCloudTestSupport
import Testing

/// End to end through a real cped: two "guests" that are real sshd processes (static
/// infrastructure), exec resources whose state lives in files, monitored over ssh. Failures are
/// injected by deleting a resource's state file; the event history must show detection, recovery
/// and escalation in order.
@Suite(.enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"))
struct EngineSSHTests {
    struct Shop {
        let db: SSHDaemon
        let web: SSHDaemon
        let cped: ControllerProcess
        let files: URL

        init() throws {
            db = try SSHDaemon()
            web = try SSHDaemon()
            // Both guests accept the controller's key (db's client key).
            try FileManager.default.removeItem(atPath: web.path("authorized_keys"))
            try FileManager.default.copyItem(atPath: db.clientKeyPath + ".pub", toPath: web.path("authorized_keys"))
            try db.start()
            try web.start()
            files = URL(fileURLWithPath: "/tmp/pcloud-shop-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            cped = try ControllerProcess(extraArguments: ["--ssh-key", db.clientKeyPath])
        }

        func path(_ name: String) -> String { files.appendingPathComponent(name).path }

        var yaml: String {
            func resource(_ name: String, parameters: String = "{}") -> String {
                """
                      - name: \(name)
                        class: exec
                        parameters: \(parameters)
                        exec:
                          monitor: "test -f \(path(name + ".state")) || exit 7"
                          start: "echo \\"$OCF_RESKEY_db\\" > \(path(name + ".state")); echo start >> \(path(name + ".log"))"
                          stop: "rm -f \(path(name + ".state"))"
                        monitor: {interval: 1s, timeout: 5s}
                        escalation: {failures: 2, period: 60s}
                """
            }
            return """
                name: shop
                infrastructure: {type: static}
                monitor: {method: ssh, interval: 1s, timeout: 5s}
                assemblies:
                  - name: db
                    address: 127.0.0.1
                    ssh: {user: root, port: \(db.port), host-key: "\(db.hostKey)"}
                    escalation: {failures: 3, period: 10m}
                    resources:
                \(resource("store"))
                  - name: web
                    address: 127.0.0.1
                    ssh: {user: root, port: \(web.port), host-key: "\(web.hostKey)"}
                    resources:
                \(resource("app", parameters: "{db: {ref: {assembly: db, parameter: ipaddress}}}"))
                ordering:
                  - {first: db/store, then: web/app}

                """
        }

        func pcloudsh(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try runCommand(BuiltProducts.path("pcloudsh"), arguments + ["--socket", cped.socketPath])
        }

        /// The deployable's events; retried while a restarted cped is coming up.
        func events() async throws -> [[String: Any]] {
            for attempt in 1...40 {
                do {
                    let answer = try await APIClient.unix(cped.socketPath).call(.GET, "/v1/events?deployable=shop&limit=10000")
                    return answer.json as? [[String: Any]] ?? []
                } catch  where attempt < 40 {
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
            return []
        }

        func kinds() async throws -> [String] { try await events().compactMap { $0["kind"] as? String } }

        /// Waits (up to `seconds`) until the events include `count` of `kind`.
        func waitFor(_ kind: String, count: Int = 1, after seq: Int = 0, seconds: Double = 60) async throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let events = try await events().filter { ($0["seq"] as? Int ?? 0) > seq }
                if events.filter({ $0["kind"] as? String == kind }).count >= count { return true }
                try await Task.sleep(for: .milliseconds(250))
            }
            return false
        }

        func stateOf(_ assembly: String, _ resource: String) async throws -> String? {
            let status =
                try await APIClient.unix(cped.socketPath).call(.GET, "/v1/deployables/shop/status").json as? [String: Any]
            let assemblies = status?["assemblies"] as? [[String: Any]] ?? []
            let resources = assemblies.first { $0["name"] as? String == assembly }?["resources"] as? [[String: Any]] ?? []
            return resources.first { $0["name"] as? String == resource }?["state"] as? String
        }

        func stop() {
            cped.stop()
            db.stop()
            web.stop()
            try? FileManager.default.removeItem(at: files)
        }
    }

    @Test func startFailRecoverEscalateAndStopInOrder() async throws {
        let shop = try Shop()
        defer { shop.stop() }
        #expect(try await APIClient.unix(shop.cped.socketPath).call(.POST, "/v1/deployables", body: shop.yaml).status == 201)
        let started = try shop.pcloudsh(["deployable_start", "shop", "--wait", "--timeout", "90s"])
        #expect(started.status == 0, "\(started.output)\n\(shop.cped.log.suffix(3000))")
        #expect(started.output.contains("running"))
        // web/app got db's address through its reference, and started after db/store.
        #expect(try String(contentsOfFile: shop.path("app.state"), encoding: .utf8) == "127.0.0.1\n")

        // A resource failure: restarted in place (and web/app, which runs after it, with it).
        try FileManager.default.removeItem(atPath: shop.path("store.state"))
        #expect(try await shop.waitFor("resource.restart"))
        #expect(try await shop.waitFor("deployable.state", count: 4))  // starting, running, recovering, running
        // The same failure again within 60 s: escalation restarts the assembly (fenced first).
        try FileManager.default.removeItem(atPath: shop.path("store.state"))
        #expect(try await shop.waitFor("assembly.fenced"))
        #expect(try await shop.waitFor("deployable.state", count: 6))
        #expect(try await shop.stateOf("db", "store") == "running")

        let stopped = try shop.pcloudsh(["deployable_stop", "shop", "--wait", "--timeout", "60s"])
        #expect(stopped.status == 0, "\(stopped.output)")
        #expect(!FileManager.default.fileExists(atPath: shop.path("store.state")))
        #expect(!FileManager.default.fileExists(atPath: shop.path("app.state")))

        let kinds = try await shop.kinds()
        let expected = [
            "deployable.start", "assembly.start", "assembly.started", "assembly.reachable", "resource.probe", "resource.start",
            "deployable.state", "resource.restart", "resource.stop", "resource.start", "assembly.restart", "assembly.fence",
            "assembly.fenced", "assembly.start", "assembly.reachable", "resource.probe", "deployable.stop", "resource.stop",
            "assembly.stop", "deployable.monitoring-stopped",
        ]
        if let missing = firstMissing(expected, inOrderIn: kinds) {
            Issue.record("no \(missing.kind) after event \(missing.after) in \(kinds)")
        }
        let messages = try await shop.events().compactMap { $0["message"] as? String }
        #expect(
            messages.contains {
                $0.contains("resource db/store failed 2 times in")
                    && $0.contains("(limit 2 in 1m): escalating to restart assembly db")
            })
        let starts = try String(contentsOfFile: shop.path("store.log"), encoding: .utf8).split(separator: "\n").count
        #expect(starts == 3)
    }
}
