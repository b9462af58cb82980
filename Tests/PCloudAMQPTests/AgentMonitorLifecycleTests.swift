import Foundation
import PCloudAMQP
import PCloudAgentMonitor
import PCloudModel
import PCloudTestSupport
import Testing

/// The agent monitor's work runs in `run()`, owned by whoever runs it (cped's ServiceGroup):
/// cancelling that task stops it and closes the broker connection, as a graceful stop must.
extension RealBrokerTests {
    @Suite(.serialized) struct AgentMonitorLifecycleTests {
        @Test func cancellingRunClosesTheBrokerConnectionAndEndsTheObservations() async throws {
            if let reason = BrokerProcess.missing {
                Issue.record("skipped: \(reason)")
                return
            }
            let broker = try BrokerProcess()
            let monitor = AgentMonitor(endpoint: controllerEndpoint(broker))
            let observations = monitor.observations()
            // Ends when run() returns (a stream, so waiting for it can time out).
            let (returned, returning) = AsyncStream.makeStream(of: Never.self)
            let running = Task {
                await monitor.run()
                returning.finish()
            }
            #expect(await firstElement(of: monitor.connectionStates(), within: .seconds(30)) == .up)

            running.cancel()
            #expect(await finishes(within: .seconds(30)) { for await _ in returned {} }, "run() did not return when cancelled")
            #expect(await finishes(within: .seconds(5)) { for await _ in observations {} }, "observations went on")
            // The connection is closed: a request has nowhere to go and fails at once or at its timeout.
            let probe = Resource(name: "x", resourceClass: .exec, type: "x", commands: ExecCommands(monitor: "true"))
            let ghost = GuestEndpoint(name: GuestName(deployable: "demo", assembly: "web"), host: "unused")
            let result = await monitor.run(.probe, resource: probe, parameters: [:], on: ghost, timeout: .seconds(2))
            #expect(result.code == .unknownError, "\(result)")
            withExtendedLifetime(broker) {}
        }
    }
}

/// Whether `work` completes within `limit`.
func finishes(within limit: Duration, _ work: @escaping @Sendable () async -> Void) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            await work()
            return true
        }
        group.addTask {
            try? await Task.sleep(for: limit)
            return false
        }
        defer { group.cancelAll() }
        return await group.next() ?? false
    }
}
