import Foundation
import PCloudTestSupport
import Testing

/// With a broker configured, the agent monitor runs as a service of cped's ServiceGroup: SIGTERM
/// stops it (closing the broker connection, after the engines) and cped still exits 0. Before, its
/// tasks started in its init and nothing ever stopped them or closed the connection.
@Test func sigtermWithABrokerClosesTheAgentMonitorsConnectionAndExitsZero() throws {
    if let reason = BrokerProcess.missing {
        Issue.record("skipped: \(reason)")
        return
    }
    let broker = try BrokerProcess()
    let cped = try ControllerProcess(extraArguments: [
        "--broker", "127.0.0.1:\(broker.port)", "--broker-password-file",
        broker.directory.appendingPathComponent("controller.password").path,
    ])
    cped.process.signal(SIGTERM)
    #expect(waitUntil(timeout: 30) { !cped.process.isRunning })
    #expect(cped.process.process.terminationStatus == 0, "\(cped.log.suffix(2000))")
    #expect(cped.log.contains("stopped: broker connection closed"), "\(cped.log.suffix(2000))")
    withExtendedLifetime(broker) {}
}
