import Foundation
import PCloudAMQP
import PCloudAgentMonitor
import PCloudModel
import PCloudTestSupport
import Testing

/// A broker restart is not a failure of every guest: verdicts pause while the controller's own
/// connection is down, both sides reconnect, and heartbeats flow again.
extension RealBrokerTests {
    @Suite(.serialized) struct BrokerOutageTests {
        @Test func brokerRestartCausesNoFalseUnreachableVerdicts() async throws {
            if let reason = BrokerProcess.missing {
                Issue.record("skipped: \(reason)")
                return
            }
            let (broker, log, monitor, observations, agent) = try demoAgentWorld(bootID: "b")
            _ = try await observations.next("first heartbeat", agent) {
                if case .liveness(_, .alive) = $0 { true } else { false }
            }

            try broker.restartServer()
            trace("broker restarted")
            // Heartbeats arrive again through the new connections: the guest is alive again without
            // ever having been judged unreachable.
            let guest = GuestEndpoint(name: GuestName(deployable: "demo", assembly: "web"), host: "unused")
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            var seenAgain = false
            while clock.now < deadline && !seenAgain {
                try await Task.sleep(for: .milliseconds(200))
                if case .alive = await monitor.liveness(of: guest, timeout: .zero), agent.log.contains("broker: connected") {
                    seenAgain = agent.log.components(separatedBy: "broker: connected").count > 2
                }
            }
            #expect(seenAgain, "agent did not reconnect: \(agent.log.suffix(1500))")
            // Replies come on an every-message link, subscribed again on the new connection.
            let probe = Resource(name: "x", resourceClass: .exec, type: "x", commands: ExecCommands(monitor: "true"))
            let answered = await monitor.run(.probe, resource: probe, parameters: [:], on: guest, timeout: .seconds(10))
            #expect(answered == OperationResult(code: .ok), "\(answered)")
            try await Task.sleep(for: .seconds(4))
            let verdicts = try await observations.all()
            #expect(!verdicts.contains { if case .liveness(_, .unreachable) = $0 { true } else { false } }, "\(verdicts)")
            #expect(log.lines.contains { $0.contains("verdicts suspended") })
            await monitor.shutdown()
        }

        /// An engine that starts while the broker is down (after it had been up) hears of the
        /// outage, rather than taking the down state for "not connected yet".
        @Test func aStreamAskedForDuringAnOutageReportsIt() async throws {
            if let reason = BrokerProcess.missing {
                Issue.record("skipped: \(reason)")
                return
            }
            let broker = try BrokerProcess()
            let monitor = AgentMonitor(endpoint: controllerEndpoint(broker))
            _ = Task { await monitor.run() }  // until shutdown()
            var first = monitor.connectionStates().makeAsyncIterator()
            #expect(await first.next() == .up)
            broker.stopServer()
            guard case .down = await first.next() else {
                Issue.record("the first stream did not see the outage")
                return
            }
            let reported = await firstElement(of: monitor.connectionStates(), within: .seconds(30))
            guard case .down(let reason) = reported else {
                Issue.record("a stream asked for during the outage did not report it")
                return
            }
            trace("outage reported to a late stream: \(reason)")
            await monitor.shutdown()
        }
    }
}
