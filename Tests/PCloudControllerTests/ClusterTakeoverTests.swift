import Foundation
import PCloudTestSupport
import Testing

/// Two real cped on one real PostgreSQL, a deployable on a real sshd "guest" whose resource's start
/// appends a line to a file in the guest, so a start done twice is counted from the guest's side.
/// One controller owns the deployable (its lease); the other refuses to act on it and names the
/// owner; when the owner dies (kill -9) or is frozen past its lease, the other takes the deployable
/// over, adopts the running resource without starting it again, and recovers the next failure; the
/// frozen one, woken, does nothing more.
@Suite(
    .enabled(
        if: SSHDaemon.missing == nil && PostgresServer.missing == nil, "\(SSHDaemon.missing ?? PostgresServer.missing ?? "")"))
struct ClusterTakeoverTests {
    final class World {
        let guest: SSHDaemon
        let server: PostgresServer
        let url: String
        let files: URL
        var controllers: [String: ControllerProcess] = [:]

        init() throws {
            guest = try SSHDaemon()
            try guest.start()
            server = try PostgresServer.shared()
            url = server.tcpURL(try server.createDatabase())
            files = URL(fileURLWithPath: "/tmp/pcloud-cluster-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            for name in ["a", "b"] {
                controllers[name] = try ControllerProcess(
                    extraArguments: [
                        "--store-password-file", server.passwordFile, "--ssh-key", guest.clientKeyPath, "--controller-name", name,
                    ], store: url)
            }
        }

        deinit {
            for controller in controllers.values {
                controller.process.signal(SIGCONT)
                controller.stop()
            }
            try? FileManager.default.removeItem(at: files)
        }

        subscript(_ name: String) -> ControllerProcess { controllers[name]! }

        func path(_ name: String) -> String { files.appendingPathComponent(name).path }

        var yaml: String { yaml("shared") }

        /// A deployable `name` whose resource keeps its files under `name` in the guest.
        func yaml(_ name: String) -> String {
            let path = { (file: String) in self.path(name == "shared" ? file : "\(name)-\(file)") }
            return CountedStartDeployable.yaml(
                name: name, assembly: name == "shared" ? "box" : "\(name)-box", guest: guest, log: path("app.log"),
                state: path("app.state"))
        }

        /// Starts counted in the guest.
        var starts: Int { starts(of: "app.log") }

        func starts(of log: String) -> Int {
            ((try? String(contentsOfFile: path(log), encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        func pcloudsh(_ arguments: [String], on name: String) throws -> (status: Int32, output: String) {
            try runCommand(BuiltProducts.path("pcloudsh"), arguments + ["--socket", self[name].socketPath])
        }

        /// The deployable's events as any controller reads them from the store.
        func events(on name: String) async -> [(kind: String, message: String)] {
            let answer = try? await APIClient.unix(self[name].socketPath).call(.GET, "/v1/events?deployable=shared&limit=10000")
            return (answer?.json as? [[String: Any]] ?? []).compactMap {
                guard let kind = $0["kind"] as? String, let message = $0["message"] as? String else { return nil }
                return (kind, message)
            }
        }

        func waitForEvent(on name: String, timeout: TimeInterval, _ match: @escaping (String, String) -> Bool) async -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if await events(on: name).contains(where: { match($0.kind, $0.message) }) { return true }
                try? await Task.sleep(for: .milliseconds(200))
            }
            return false
        }

        /// Started through `a`, running, with its one start counted.
        func startOnA() async throws {
            let defined = try await APIClient.unix(self["a"].socketPath).call(.POST, "/v1/deployables", body: yaml)
            #expect(defined.status == 201)
            #expect(try pcloudsh(["deployable_start", "shared"], on: "a").status == 0)
            let waited = try pcloudsh(["deployable_wait", "shared", "--for", "running", "--timeout", "60s"], on: "a")
            #expect(waited.status == 0, "\(waited.output)\n\(self["a"].log.suffix(3000))")
            #expect(starts == 1)
        }
    }

    @Test func theOtherControllerRefusesToActOnADeployableItDoesNotOwnAndNamesTheOwner() async throws {
        let world = try World()
        try await world.startOnA()
        let refused = try world.pcloudsh(["deployable_stop", "shared"], on: "b")
        #expect(refused.status != 0)
        #expect(refused.output.contains("run by controller a"), "\(refused.output)")
        #expect(world.starts == 1)
        // Either controller tells who is in the cluster and who owns what.
        let status = try world.pcloudsh(["cluster_status", "--json"], on: "b")
        let view = try #require(
            try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any], "\(status.output)")
        #expect(view["controller"] as? String == "b")
        let members = (view["members"] as? [[String: Any]] ?? []).compactMap { $0["controller"] as? String }
        #expect(members.sorted() == ["a", "b"], "\(status.output)")
        let lease = (view["leases"] as? [[String: Any]] ?? []).first { $0["deployable"] as? String == "shared" }
        #expect(lease?["holder"] as? String == "a", "\(status.output)")
        let table = try world.pcloudsh(["cluster_status"], on: "a").output
        #expect(table.contains("Controllers (2), answered by a") && table.contains("shared"), "\(table)")
        let stopped = try world.pcloudsh(["deployable_stop", "shared", "--wait", "--timeout", "60s"], on: "a")
        #expect(stopped.status == 0, "\(stopped.output)")
        #expect(
            !FileManager.default.fileExists(atPath: world.path("app.state")), "\(stopped.output)\n\(world["a"].log.suffix(4000))")
    }

    /// Two deployables started through one controller end up one on each: the busier controller
    /// hands one over at a quiet moment and the other adopts it (its resource not started again).
    @Test func deployablesStartedThroughOneControllerAreSpreadOverBoth() async throws {
        let world = try World()
        for name in ["one", "two"] {
            let defined = try await APIClient.unix(world["a"].socketPath).call(.POST, "/v1/deployables", body: world.yaml(name))
            #expect(defined.status == 201, "\(defined.text)")
            let started = try world.pcloudsh(["deployable_start", name, "--wait", "--timeout", "60s"], on: "a")
            #expect(started.status == 0, "\(started.output)")
        }
        let spread = waitUntil(timeout: 60) {
            let output = (try? world.pcloudsh(["cluster_status", "--json"], on: "a").output) ?? ""
            guard let view = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else { return false }
            let holders = (view["leases"] as? [[String: Any]] ?? []).compactMap { $0["holder"] as? String }
            return holders.sorted() == ["a", "b"]
        }
        #expect(spread, "\(world["a"].log.suffix(3000))\n\(world["b"].log.suffix(3000))")
        // The one handed over is watched by its new owner: a failure there is repaired, once.
        for name in ["one", "two"] {
            let events = try await APIClient.unix(world["b"].socketPath).call(.GET, "/v1/events?deployable=\(name)&limit=10000")
            let all = (events.json as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            if all.contains("cluster.handover") {
                #expect(world.starts(of: "\(name)-app.log") == 1, "the handover started \(name)'s resource again")
                try FileManager.default.removeItem(atPath: world.path("\(name)-app.state"))
                #expect(waitUntil(timeout: 60) { world.starts(of: "\(name)-app.log") == 2 }, "\(world["b"].log.suffix(3000))")
            }
        }
        #expect(world.starts(of: "one-app.log") + world.starts(of: "two-app.log") == 3, "one start each, and one repair")
        for name in ["one", "two"] {
            for controller in ["a", "b"] {
                _ = try world.pcloudsh(["deployable_stop", name, "--wait", "--timeout", "60s"], on: controller)
            }
        }
    }

    @Test func aKilledOwnersDeployableIsTakenOverAdoptedNotStartedAgainAndItsNextFailureRecovered() async throws {
        let world = try World()
        try await world.startOnA()
        world["a"].process.signal(SIGKILL)
        let took = await world.waitForEvent(on: "b", timeout: 60) { kind, message in
            kind == "cluster.owner" && message.contains("controller b now owns")
        }
        #expect(took, "\(world["b"].log.suffix(3000))")
        // The new owner probes and adopts what runs: the guest saw one start.
        let running = try world.pcloudsh(["deployable_wait", "shared", "--for", "running", "--timeout", "60s"], on: "b")
        #expect(running.status == 0, "\(running.output)")
        #expect(world.starts == 1, "the takeover started the resource again")
        // A failure after the takeover is recovered by the new owner, once.
        try FileManager.default.removeItem(atPath: world.path("app.state"))
        #expect(waitUntil(timeout: 60) { world.starts == 2 }, "\(world["b"].log.suffix(3000))")
        #expect(waitUntil(timeout: 30) { FileManager.default.fileExists(atPath: world.path("app.state")) })
        #expect(try world.pcloudsh(["deployable_stop", "shared", "--wait", "--timeout", "60s"], on: "b").status == 0)
        #expect(world.starts == 2)
    }

    /// SIGTERM hands the owner's leases over at once (after its engines stopped), so the other takes
    /// the deployable over without waiting for the lease to expire; `events --follow` on the other
    /// controller shows what the first one did as it happens, in order.
    @Test func aGracefulStopHandsOverAtOnceAndTheOtherControllersFollowerSeesEverything() async throws {
        let world = try World()
        try await world.startOnA()
        // History first, then live: the follower on b shows what a did and goes on.
        let follower = try ManagedProcess(
            "follower", executable: BuiltProducts.path("pcloudsh"),
            arguments: ["events", "--follow", "--deployable", "shared", "--socket", world["b"].socketPath])
        defer { follower.stop() }
        #expect(
            waitUntil(timeout: 15) { follower.logText().contains("deployable shared is running") },
            "b's follower did not see a's events: \(follower.logText())")
        world["a"].process.signal(SIGTERM)
        let took = await world.waitForEvent(on: "b", timeout: 60) { kind, message in
            kind == "cluster.owner" && message.contains("controller b now owns")
        }
        #expect(took)
        #expect(waitUntil(timeout: 30) { !world["a"].process.isRunning })
        #expect(world["a"].process.process.terminationStatus == 0, "\(world["a"].log.suffix(2000))")
        // Handed over, not waited out: a's release succeeds only while the lease is still a's, so
        // b claimed it after the release, not after an expiry.
        let handedOver = world["a"].log.split(separator: "\n").contains {
            $0.contains("lease handed over") && $0.contains("deployable=shared")
        }
        #expect(handedOver, "\(world["a"].log.suffix(2000))")
        #expect(world.starts == 1, "the handover started the resource again")
        #expect(waitUntil(timeout: 15) { follower.logText().contains("controller b now owns deployable shared") })
        // Seen in sequence order, each once.
        let seqs = follower.logText().split(separator: "\n").compactMap { Int($0.prefix { $0 != "\t" }) }
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count, "\(follower.logText())")
        #expect(try world.pcloudsh(["deployable_stop", "shared", "--wait", "--timeout", "60s"], on: "b").status == 0)
    }

    @Test func aFrozenOwnerWokenAfterATakeoverDoesNothingMore() async throws {
        let world = try World()
        try await world.startOnA()
        world["a"].process.signal(SIGSTOP)
        let took = await world.waitForEvent(on: "b", timeout: 60) { kind, message in
            kind == "cluster.owner" && message.contains("controller b now owns")
        }
        #expect(took, "\(world["b"].log.suffix(3000))")
        // The resource fails while the old owner sleeps; it wakes while the failure is there to see.
        try FileManager.default.removeItem(atPath: world.path("app.state"))
        world["a"].process.signal(SIGCONT)
        #expect(waitUntil(timeout: 60) { world.starts >= 2 }, "\(world["b"].log.suffix(3000))")
        // Both had the failure before them; only one restarted it.
        #expect(waitUntil(timeout: 30) { FileManager.default.fileExists(atPath: world.path("app.state")) })
        let woke = waitUntil(timeout: 30) {
            world["a"].log.contains("nothing more is done here") || world["a"].log.contains("not acting on it")
        }
        #expect(woke, "\(world["a"].log.suffix(3000))")
        #expect(world.starts == 2, "the resource was started \(world.starts) times in all")
        #expect(try world.pcloudsh(["deployable_stop", "shared", "--wait", "--timeout", "60s"], on: "b").status == 0)
        if ProcessInfo.processInfo.environment["PCLOUD_SHOW"] != nil { print("A:\n\(world["a"].log)\nB:\n\(world["b"].log)") }
    }
}
