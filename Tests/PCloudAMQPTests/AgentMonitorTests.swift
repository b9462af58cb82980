import Foundation
import PCloudAMQP
import PCloudAgentMonitor
import PCloudModel
import PCloudTestSupport
import Testing

/// The controller's AgentMonitor and real pcloud-agent processes through a real private RabbitMQ.
extension RealBrokerTests {
    @Suite(.serialized) struct AgentMonitorTests {
        let guest = GuestName(deployable: "demo", assembly: "web")

        @Test func heartbeatLossAndRebootAreDetected() async throws {
            if let reason = BrokerProcess.missing {
                Issue.record("skipped: \(reason)")
                return
            }
            let (broker, _, monitor, observations, agent) = try demoAgentWorld(bootID: "boot-A")
            defer { withExtendedLifetime(broker) {} }  // the broker runs until the test ends

            let first = try await observations.next("first heartbeat", agent) {
                if case .liveness(_, .alive) = $0 { true } else { false }
            }
            #expect(first == .liveness(guest, .alive(uptime: first.uptime, bootID: "boot-A")))
            let endpoint = GuestEndpoint(name: guest, host: "unused")
            guard case .alive(_, "boot-A") = await monitor.liveness(of: endpoint, timeout: .seconds(1)) else {
                Issue.record("liveness is not alive")
                return
            }

            // SIGSTOP: the process exists but heartbeats stop.
            agent.process.signal(SIGSTOP)
            let stopped = ContinuousClock.now
            let frozen = try await observations.next("unreachable after SIGSTOP", agent) {
                if case .liveness(_, .unreachable) = $0 { true } else { false }
            }
            trace("SIGSTOP detected after \(ContinuousClock.now - stopped): \(frozen)")
            agent.process.signal(SIGCONT)
            _ = try await observations.next("alive after SIGCONT", agent) {
                if case .liveness(_, .alive) = $0 { true } else { false }
            }

            // SIGKILL: three missed heartbeats make it unreachable.
            agent.process.signal(SIGKILL)
            let killed = ContinuousClock.now
            let lost = try await observations.next("unreachable after kill", agent) {
                if case .liveness(_, .unreachable) = $0 { true } else { false }
            }
            let detection = ContinuousClock.now - killed
            trace("kill detected after \(detection): \(lost)")
            if case .unreachable(let reason) = await monitor.liveness(of: endpoint, timeout: .zero) {
                #expect(reason.contains("3 missed"))
            } else {
                Issue.record("liveness does not report the lost agent")
            }

            // The guest comes back with a new boot id: a reboot.
            try agent.restart(bootID: "boot-B")
            let back = try await observations.next("alive after reboot", agent) {
                if case .liveness(_, .alive) = $0 { true } else { false }
            }
            #expect(back == .liveness(guest, .alive(uptime: back.uptime, bootID: "boot-B")))
            await monitor.shutdown()
        }

        @Test func remoteExecResourceStartsMonitorsAndStops() async throws {
            if let reason = BrokerProcess.missing {
                Issue.record("skipped: \(reason)")
                return
            }
            let broker = try BrokerProcess()
            try broker.addDeployableUser("demo", password: "demo-secret")
            let marker = "/tmp/pcloud-marker-\(UUID().uuidString.prefix(8))"
            defer { unlink(marker) }
            let commands = ExecCommands(monitor: "test -f \(marker) || exit 7", start: "touch \(marker)", stop: "rm -f \(marker)")
            let resource = Resource(name: "marker", resourceClass: .exec, type: "marker", commands: commands)
            let pushed: [String: Any] = [
                "name": "marker", "class": "exec", "type": "marker", "params": [String: String](),
                "commands": ["monitor": commands.monitor], "interval_seconds": 0.2, "timeout_seconds": 5,
            ]
            let monitor = AgentMonitor(endpoint: controllerEndpoint(broker))
            _ = Task { await monitor.run() }  // until shutdown()
            let observations = ObservationLog(monitor.observations())
            let agent = try AgentProcess(
                broker: broker, deployable: "demo", assembly: "web", password: "demo-secret", bootID: "b", resources: [pushed])
            let endpoint = GuestEndpoint(name: guest, host: "unused")
            _ = try await observations.next("pushed initial status", agent) { $0.resourceCode == .notRunning }

            func run(_ action: ResourceAction) async -> OperationResult {
                await monitor.run(action, resource: resource, parameters: [:], on: endpoint, timeout: .seconds(10))
            }
            #expect(await run(.probe).code == .notRunning)
            let started = await run(.start)
            #expect(started == OperationResult(code: .ok))
            #expect(FileManager.default.fileExists(atPath: marker))
            #expect(await run(.monitor).code == .ok)
            _ = try await observations.next("pushed running", agent) { $0.resourceCode == .ok }

            // Killed inside the guest, behind the controller's back: the agent pushes the failure.
            unlink(marker)
            let failed = try await observations.next("pushed failure", agent) { $0.resourceCode == .notRunning }
            #expect(failed == .resource(guest, resource: "marker", OperationResult(code: .notRunning)))

            #expect(await run(.start).code == .ok)
            #expect(await run(.stop).code == .ok)
            #expect(!FileManager.default.fileExists(atPath: marker))

            // A real OCF agent (resource-agents' Dummy) through the same path, parameters as OCF_RESKEY_*.
            let dummyAgent = "/usr/lib/ocf/resource.d/heartbeat/Dummy"
            if FileManager.default.isExecutableFile(atPath: dummyAgent) {
                let state = "/tmp/pcloud-dummy-\(UUID().uuidString.prefix(8)).state"
                defer { unlink(state) }
                let dummy = Resource(name: "dummy", resourceClass: .ocf, type: "Dummy", provider: "heartbeat")
                func ocf(_ action: ResourceAction) async -> OCFExitCode {
                    await monitor.run(action, resource: dummy, parameters: ["state": state], on: endpoint, timeout: .seconds(10))
                        .code
                }
                #expect(await ocf(.probe) == .notRunning)
                #expect(await ocf(.start) == .ok)
                #expect(FileManager.default.fileExists(atPath: state))
                #expect(await ocf(.monitor) == .ok)
                #expect(await ocf(.stop) == .ok)
                #expect(await ocf(.monitor) == .notRunning)
            } else {
                Issue.record(
                    "skipped the OCF part: \(dummyAgent) is not installed (scripts/setup/amqp.sh installs resource-agents)")
            }

            // An operation that outlives its timeout is killed and reported as an error.
            let slow = Resource(name: "slow", resourceClass: .exec, type: "slow", commands: ExecCommands(monitor: "sleep 30"))
            let timedOut = await monitor.run(.monitor, resource: slow, parameters: [:], on: endpoint, timeout: .seconds(1))
            #expect(timedOut.code == .unknownError)
            #expect(timedOut.output.contains("timed out") || timedOut.transportError != nil)
            await monitor.shutdown()
        }

        /// A resource the controller starts is then watched by the agent itself (not listed in its
        /// agent.json), at the interval the request gives: a failure inside is pushed; once the
        /// controller stops it, the agent no longer reports it.
        @Test func aResourceTheControllerStartsIsWatchedByTheAgentUntilItIsStopped() async throws {
            if let reason = BrokerProcess.missing {
                Issue.record("skipped: \(reason)")
                return
            }
            let (broker, _, monitor, observations, agent) = try demoAgentWorld(bootID: "boot-W")
            _ = broker
            let marker = "/tmp/pcloud-marker-\(UUID().uuidString.prefix(8))"
            defer { unlink(marker) }
            let resource = Resource(
                name: "marker", resourceClass: .exec, type: "marker",
                commands: ExecCommands(monitor: "test -f \(marker) || exit 7", start: "touch \(marker)", stop: "rm -f \(marker)"),
                monitor: OperationTiming(interval: .milliseconds(200), timeout: .seconds(5)))
            let endpoint = GuestEndpoint(name: guest, host: "unused")
            func run(_ action: ResourceAction) async -> OCFExitCode {
                await monitor.run(action, resource: resource, parameters: [:], on: endpoint, timeout: .seconds(10)).code
            }
            #expect(await run(.probe) == .notRunning)
            #expect(await run(.start) == .ok)
            #expect(await waitFor(seconds: 10) { agent.log.contains("marker: watched every 0.2s") }, "\(agent.log)")
            _ = try await observations.next("pushed running", agent) { $0.resourceCode == .ok }

            unlink(marker)
            let failed = try await observations.next("pushed failure", agent) { $0.resourceCode == .notRunning }
            #expect(failed == .resource(guest, resource: "marker", OperationResult(code: .notRunning)))
            #expect(await run(.start) == .ok)
            _ = try await observations.next("pushed running again", agent) { $0.resourceCode == .ok }
            // The controller's own recurring monitor leaves the watch as it is (one "watched" line).
            #expect(await run(.monitor) == .ok)

            #expect(await run(.stop) == .ok)
            #expect(await waitFor(seconds: 10) { agent.log.contains("marker: no longer watched (stopped)") }, "\(agent.log)")
            let before = try await observations.all().filter { $0.resourceCode != nil }.count
            #expect(FileManager.default.createFile(atPath: marker, contents: nil))
            try await Task.sleep(for: .milliseconds(1500))
            unlink(marker)
            try await Task.sleep(for: .milliseconds(1500))
            let after = try await observations.all().filter { $0.resourceCode != nil }.count
            #expect(after == before, "a stopped resource was still reported")
            #expect(agent.log.components(separatedBy: "marker: watched every").count == 2, "\(agent.log)")
            await monitor.shutdown()
        }

        @Test func malformedMessagesAreIgnoredWithALoggedReason() async throws {
            if let reason = BrokerProcess.missing {
                Issue.record("skipped: \(reason)")
                return
            }
            let (broker, log, monitor, observations, agent) = try demoAgentWorld(bootID: "b")
            _ = try await observations.next("first heartbeat", agent) { if case .liveness = $0 { true } else { false } }

            // A guest sends garbage where heartbeats go: the controller logs why and carries on.
            let rogue = AMQPClient(
                endpoint: AMQPEndpoint(
                    host: "127.0.0.1", port: Int(broker.port), user: "pcloud-demo", password: "demo-secret", containerID: "rogue")
            )
            try await waitConnected(rogue)
            try await eventually {
                try await rogue.send(AMQPMessage(body: "{not json", subject: "heartbeat"), to: "/topic/demo.web.heartbeat")
            }
            try await rogue.send(AMQPMessage(body: #"{"v":9}"#, subject: "heartbeat"), to: "/topic/demo.web.heartbeat")
            // A guest speaking for another deployable: the broker-verified user-id gives it away.
            let impostor = Heartbeat(seq: 1, bootID: "x", uptime: 1, assembly: "web", deployable: "other")
            var forged = AgentCodec.encode(.heartbeat(impostor))
            forged.userID = "pcloud-demo"
            try await rogue.send(forged, to: "/topic/demo.web.heartbeat")
            let logged = await waitFor(seconds: 10) {
                log.lines.contains("rejected message (heartbeat): sent by pcloud-demo, not pcloud-other")
                    && log.lines.contains("rejected message (heartbeat): body is not JSON")
                    && log.lines.contains("rejected message (heartbeat): unsupported protocol version 9 (expected 1)")
            }
            #expect(logged, "\(log.lines)")

            // Guests cannot listen in on topics (no queue of their own to bind).
            var endedWithError = false
            for await state in rogue.connectionStates() {
                if case .disconnected(let reason) = state, reason.contains("ACCESS_REFUSED") {
                    endedWithError = true
                    break
                }
                if state == .connected && !endedWithError {
                    _ = rogue.receive(from: "/topic/demo.web.reply", credit: 1)
                }
            }
            #expect(endedWithError)

            // A malformed request to the agent (only the controller may send requests) gets a reply
            // saying why, and the agent keeps running.
            let controller = AMQPClient(endpoint: controllerEndpoint(broker))
            let replies = controller.receive(from: "/topic/demo.web.reply", credit: 4)
            try await waitConnected(controller)
            try await Task.sleep(for: .milliseconds(500))
            try await controller.send(
                AMQPMessage(
                    body: #"{"v":1,"id":"x","action":"format-disk","resource":{}}"#, subject: "request",
                    replyTo: "/topic/demo.web.reply", correlationID: "bad-1"),
                to: AgentAddresses.requests(deployable: "demo", assembly: "web"))
            var answer: AMQPMessage?
            for await reply in replies {
                answer = reply
                break
            }
            #expect(answer?.correlationID == "bad-1")
            #expect(answer?.body.contains("malformed request") == true)
            #expect(agent.process.isRunning)
            #expect(await waitFor(seconds: 5) { agent.log.contains("rejected message:") })
            if case .alive = await monitor.liveness(of: GuestEndpoint(name: guest, host: "unused"), timeout: .seconds(3)) {
            } else {
                Issue.record("the agent stopped heartbeating after a malformed request")
            }
            // A request to a guest without an agent ends at its timeout, as a transport error.
            let ghost = GuestEndpoint(name: GuestName(deployable: "demo", assembly: "ghost"), host: "unused")
            let probe = Resource(name: "x", resourceClass: .exec, type: "x", commands: ExecCommands(monitor: "true"))
            let unanswered = await monitor.run(.probe, resource: probe, parameters: [:], on: ghost, timeout: .seconds(1))
            #expect(unanswered.code == .unknownError)
            #expect(unanswered.transportError?.contains("no reply") == true, "\(unanswered)")
            await rogue.shutdown()
            await controller.shutdown()
            await monitor.shutdown()
        }
    }
}
