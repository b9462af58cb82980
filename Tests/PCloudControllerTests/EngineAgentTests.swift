import Foundation
import PCloudTestSupport
import Testing

/// End to end through a real cped with the agent monitor method: a private RabbitMQ, one real
/// pcloud-agent process per assembly (static infrastructure), each in its own network namespace
/// reaching the broker over a veth pair, exec resources whose state lives in files. Failures are injected inside the "guests" (a state file deleted), by killing or freezing
/// an agent, and by restarting the broker; the event history must show detection and recovery,
/// and no failure where there was none.
@Suite(.serialized, .enabled(if: BrokerProcess.missing == nil, "\(BrokerProcess.missing ?? "")"))
struct EngineAgentTests {
    @Test func pushedFailuresLostAgentsAndBrokerRestartThroughCped() async throws {
        let shop = try AgentShop(namespaces: true)
        defer { shop.stop() }
        let created = try await APIClient.unix(shop.cped.socketPath).call(.POST, "/v1/deployables", body: shop.yaml)
        #expect(created.status == 201, "\(created.text)")
        let started = try shop.pcloudsh(["deployable_start", "shop", "--wait", "--timeout", "90s"])
        #expect(started.status == 0, "\(started.output)\n\(shop.diagnostics)")
        #expect(started.output.contains("running"))
        #expect(FileManager.default.fileExists(atPath: shop.path("store.state")))
        #expect(FileManager.default.fileExists(atPath: shop.path("app.state")))

        // Killed inside the guest: the agent's own monitor pushes the failure (the controller polls
        // only every 10 minutes), and the resource is restarted in place.
        #expect(shop.agentLogged("db", "store: ok (pushed)"), "\(shop.diagnostics)")
        var mark = try await shop.lastSeq()
        try FileManager.default.removeItem(atPath: shop.path("store.state"))
        let restart = try await shop.waitFor("resource.restart", after: mark)
        #expect(restart.first?["resource"] as? String == "store", "\(shop.diagnostics)")
        #expect(try await shop.waitForState("running", after: mark))
        #expect(FileManager.default.fileExists(atPath: shop.path("store.state")))

        // db's agent killed: unreachable after db's own 2 missed heartbeats; the static host cannot
        // be recreated, so the assembly is fenced (a no-op) and waited for; its agent comes back
        // (same boot id), the resource is probed (still running) and the deployable runs again.
        mark = try await shop.lastSeq()
        shop.agent("db").process.signal(SIGKILL)
        let lostDB = try await shop.waitFor("assembly.restart", after: mark)
        let dbReason = lostDB.first?["message"] as? String ?? ""
        #expect(dbReason.contains("assembly db was lost") && dbReason.contains("(2 missed"), "\(dbReason)")
        #expect(try await shop.waitFor("assembly.fenced", after: mark).count == 1)
        try shop.agent("db").restart(bootID: "boot-db")
        #expect(try await shop.waitFor("assembly.reachable", after: mark).count == 1, "\(shop.diagnostics)")
        #expect(try await shop.waitForState("running", after: mark), "\(shop.diagnostics)")
        #expect(try await shop.stateOf("db", "store") == "running")

        // web's agent frozen (SIGSTOP): heartbeats stop, web is lost after the default 3 missed;
        // thawed, its heartbeats bring it back.
        mark = try await shop.lastSeq()
        shop.agent("web").process.signal(SIGSTOP)
        let lostWeb = try await shop.waitFor("assembly.restart", after: mark)
        let webReason = lostWeb.first?["message"] as? String ?? ""
        #expect(webReason.contains("assembly web was lost") && webReason.contains("(3 missed"), "\(webReason)")
        shop.agent("web").process.signal(SIGCONT)
        #expect(try await shop.waitFor("assembly.reachable", after: mark).count == 1, "\(shop.diagnostics)")
        #expect(try await shop.waitForState("running", after: mark), "\(shop.diagnostics)")

        // The broker restarted: one outage event, both sides reconnect, no guest is judged lost.
        // Afterwards a failure inside each guest still arrives by push (so each agent's messages,
        // heartbeats included, flow again) and is repaired.
        mark = try await shop.lastSeq()
        let connections = [
            "db": shop.occurrences("db", "broker: connected"), "web": shop.occurrences("web", "broker: connected"),
        ]
        try shop.broker.restartServer()
        #expect(try await shop.waitFor("monitor.connection-restored", after: mark).count == 1, "\(shop.diagnostics)")
        for (assembly, resource) in [("db", "store"), ("web", "app")] {
            #expect(shop.agentLogged(assembly, "broker: connected", count: connections[assembly]! + 1), "\(shop.diagnostics)")
            let before = try await shop.lastSeq()
            try FileManager.default.removeItem(atPath: shop.path("\(resource).state"))
            let repaired = try await shop.waitFor("resource.restart", after: before)
            #expect(repaired.first?["resource"] as? String == resource, "\(shop.diagnostics)")
            #expect(try await shop.waitForState("running", after: before))
        }
        let afterOutage = try await shop.events().filter { ($0["seq"] as? Int ?? 0) > mark }.compactMap {
            $0["kind"] as? String
        }
        #expect(afterOutage.filter { $0 == "monitor.connection-lost" }.count == 1, "\(afterOutage)")
        #expect(!afterOutage.contains("assembly.restart"), "\(afterOutage)")
        #expect(!afterOutage.contains("assembly.fence"), "\(afterOutage)")
        #expect(try await shop.stateOf("db", "store") == "running")
        #expect(try await shop.stateOf("web", "app") == "running")

        // Stop: the agents stop the resources; nothing is left running.
        let stopped = try shop.pcloudsh(["deployable_stop", "shop", "--wait", "--timeout", "60s"])
        #expect(stopped.status == 0, "\(stopped.output)")
        #expect(!FileManager.default.fileExists(atPath: shop.path("store.state")))
        #expect(!FileManager.default.fileExists(atPath: shop.path("app.state")))

        let kinds = try await shop.kinds()
        let expected = [
            "deployable.start", "assembly.start", "assembly.reachable", "resource.probe", "resource.start",
            "deployable.state", "resource.restart", "resource.stop", "resource.start", "assembly.restart", "assembly.fence",
            "assembly.fenced", "assembly.start", "assembly.reachable", "resource.probe", "assembly.restart",
            "assembly.reachable", "monitor.connection-lost", "monitor.connection-restored", "resource.restart",
            "resource.restart", "deployable.stop", "resource.stop", "assembly.stop", "deployable.monitoring-stopped",
        ]
        if let missing = firstMissing(expected, inOrderIn: kinds) {
            Issue.record("no \(missing.kind) after event \(missing.after) in \(kinds)")
        }
        // Each start wrote one line: the first start, the restart after the pushed failure, the
        // repair after the broker restart (the killed agent's resource was found running).
        let starts = try String(contentsOfFile: shop.path("store.log"), encoding: .utf8).split(separator: "\n").count
        #expect(starts == 3)
    }

    /// cped and the agents reach the broker over TLS (cped --broker-ca, the agents' `ca`): the
    /// deployable starts, a failure inside a guest is pushed and repaired, and it stops.
    @Test func agentMethodOverTLS() async throws {
        let shop = try AgentShop(tls: true)
        defer { shop.stop() }
        let created = try await APIClient.unix(shop.cped.socketPath).call(.POST, "/v1/deployables", body: shop.yaml)
        #expect(created.status == 201, "\(created.text)")
        let started = try shop.pcloudsh(["deployable_start", "shop", "--wait", "--timeout", "90s"])
        #expect(started.status == 0, "\(started.output)\n\(shop.diagnostics)")
        #expect(shop.agentLogged("web", "app: ok (pushed)"), "\(shop.diagnostics)")
        let mark = try await shop.lastSeq()
        try FileManager.default.removeItem(atPath: shop.path("app.state"))
        #expect(try await shop.waitFor("resource.restart", after: mark).first?["resource"] as? String == "app")
        #expect(try await shop.waitForState("running", after: mark), "\(shop.diagnostics)")
        let stopped = try shop.pcloudsh(["deployable_stop", "shop", "--wait", "--timeout", "60s"])
        #expect(stopped.status == 0, "\(stopped.output)")
        #expect(!FileManager.default.fileExists(atPath: shop.path("store.state")))
        #expect(!FileManager.default.fileExists(atPath: shop.path("app.state")))
        #expect(!(try await shop.kinds()).contains("monitor.connection-lost"))
    }

    /// A stop asked for while the broker is down waits for it (the guests are reached only through
    /// it) and says so in an event, instead of seeming stuck; once the broker is back the agents
    /// stop the resources and the deployable is stopped.
    @Test func aStopDuringABrokerOutageSaysItWaitsAndFinishesWhenTheBrokerIsBack() async throws {
        let shop = try await startedShop()
        defer { shop.stop() }

        let mark = try await shop.lastSeq()
        shop.broker.stopServer()
        #expect(try await shop.waitFor("monitor.connection-lost", after: mark).count == 1, "\(shop.diagnostics)")
        let stop = try shop.pcloudsh(["deployable_stop", "shop"])
        #expect(stop.status == 0, "\(stop.output)")
        let waiting = try await shop.waitFor("monitor.operations-waiting", after: mark)
        let message = waiting.first?["message"] as? String ?? ""
        #expect(message.contains("resource stop of") && message.contains("agent monitor's connection"), "\(message)")
        #expect(FileManager.default.fileExists(atPath: shop.path("store.state")))
        #expect(FileManager.default.fileExists(atPath: shop.path("app.state")))

        try shop.broker.restartServer()
        #expect(try await shop.waitForState("stopped", after: mark, seconds: 120), "\(shop.diagnostics)")
        #expect(!FileManager.default.fileExists(atPath: shop.path("store.state")))
        #expect(!FileManager.default.fileExists(atPath: shop.path("app.state")))
        let after = try await shop.events().filter { ($0["seq"] as? Int ?? 0) > mark }
        let kinds = after.compactMap { $0["kind"] as? String }
        // On failure, the sentences say why (a guest lost during the outage names its reason).
        let story = story(after)
        #expect(kinds.filter { $0 == "monitor.operations-waiting" }.count == 1, "\(story)")
        #expect(!kinds.contains("assembly.fence"), "\(story)")
    }

    /// A broker that stalls with its connections open (frozen) silences every agent at once: the
    /// path is at fault, not the guests. Verdicts wait and the event log says so once; when the
    /// broker thaws, judging resumes and no guest was fenced or restarted.
    @Test func aFrozenBrokerIsAPathFaultNotEveryGuestLost() async throws {
        let shop = try await startedShop()
        defer { shop.stop() }

        let mark = try await shop.lastSeq()
        shop.broker.freeze(true)
        defer { shop.broker.freeze(false) }
        let lost = try await shop.waitFor("monitor.connection-lost", after: mark)
        // Past web's own limit (3 heartbeats of 1 s) too, still frozen: nobody is judged.
        try await Task.sleep(for: .seconds(2))
        shop.broker.freeze(false)
        let restored = try await shop.waitFor("monitor.connection-restored", after: mark)
        #expect(restored.count == 1, "\(shop.diagnostics)")
        #expect(try await shop.stateOf("web", "app") == "running")
        #expect(try await shop.stateOf("db", "store") == "running")
        // Judging goes on: a failure after the thaw is repaired as usual.
        let thawed = try await shop.lastSeq()
        try FileManager.default.removeItem(atPath: shop.path("app.state"))
        #expect(try await shop.waitFor("resource.restart", after: thawed).first?["resource"] as? String == "app")
        let after = try await shop.events().filter { ($0["seq"] as? Int ?? 0) > mark }
        let story = story(after)
        let message = lost.first?["message"] as? String ?? ""
        #expect(message.contains("no agent heard") && message.contains("path"), "\(story)")
        let kinds = after.compactMap { $0["kind"] as? String }
        #expect(!kinds.contains("assembly.fence") && !kinds.contains("assembly.restart"), "\(story)")
        #expect(kinds.filter { $0 == "resource.restart" }.count == 1, "\(story)")
    }

    /// The shop defined through the API and started with `deployable_start --wait`.
    func startedShop() async throws -> AgentShop {
        let shop = try AgentShop()
        let created = try await APIClient.unix(shop.cped.socketPath).call(.POST, "/v1/deployables", body: shop.yaml)
        #expect(created.status == 201, "\(created.text)")
        let started = try shop.pcloudsh(["deployable_start", "shop", "--wait", "--timeout", "90s"])
        #expect(started.status == 0, "\(started.output)\n\(shop.diagnostics)")
        return shop
    }

    /// The event sentences after `mark`, one per line, for a failure message.
    func story(_ events: [[String: Any]]) -> String {
        events.map { "\($0["kind"] as? String ?? "?"): \($0["message"] as? String ?? "")" }.joined(separator: "\n")
    }
}
