import Foundation
import PCloudAMQP
import PCloudAgentMonitor
import PCloudModel
import PCloudTestSupport
import Testing

/// AMQPS: a private RabbitMQ with a TLS listener whose certificate a test CA (made here with
/// openssl) signed. The controller's client and a real agent connect through it; a client that
/// trusts another CA is refused with the TLS library's reason.
extension RealBrokerTests {
    @Suite(.serialized) struct BrokerTLSTests {
        @Test func tlsConnectsWithTheBrokersCAAndRefusesAnotherCA() async throws {
            if let reason = BrokerProcess.missing {
                Issue.record("skipped: \(reason)")
                return
            }
            let certificates = try TestCertificates()
            defer { certificates.remove() }
            let tlsPort = try BrokerProcess.freePort()
            let broker = try BrokerProcess(extraConfig: certificates.listenerConfig(port: tlsPort))
            #expect(waitUntil(timeout: 30) { portIsOpen("127.0.0.1", tlsPort) }, "\(broker.log.suffix(2000))")
            try broker.addDeployableUser("demo", password: "demo-secret")

            // The controller's monitor over TLS hears a real agent that also connects over TLS.
            var endpoint = controllerEndpoint(broker)
            endpoint.port = Int(tlsPort)
            endpoint.tls = AMQPTLS(caFile: certificates.path("ca.pem"))
            let monitor = AgentMonitor(endpoint: endpoint)
            _ = Task { await monitor.run() }  // until shutdown()
            let observations = ObservationLog(monitor.observations())
            let agent = try AgentProcess(
                broker: broker, deployable: "demo", assembly: "web", password: "demo-secret", bootID: "tls",
                port: tlsPort, tlsCA: certificates.path("ca.pem"))
            let first = try await observations.next("first heartbeat over TLS", agent) {
                if case .liveness(_, .alive) = $0 { true } else { false }
            }
            #expect(
                first == .liveness(GuestName(deployable: "demo", assembly: "web"), .alive(uptime: first.uptime, bootID: "tls")))
            await monitor.shutdown()

            // Trusting another CA: the handshake fails and the state says why.
            var wrongCA = endpoint
            wrongCA.tls = AMQPTLS(caFile: certificates.path("other-ca.pem"))
            let refused = AMQPClient(endpoint: wrongCA)
            let reason = await firstFailure(refused)
            #expect(reason.lowercased().contains("certificate verify failed"), "\(reason)")
            await refused.shutdown()

            // A CA file that does not exist is named in the reason.
            var missingCA = endpoint
            missingCA.tls = AMQPTLS(caFile: certificates.path("absent.pem"))
            let unconfigured = AMQPClient(endpoint: missingCA)
            #expect(await firstFailure(unconfigured).contains("absent.pem"))
            await unconfigured.shutdown()
        }
    }
}

/// The reason of the client's first failed connection attempt.
private func firstFailure(_ client: AMQPClient) async -> String {
    for await state in client.connectionStates() {
        if case .disconnected(let reason) = state, reason != "not connected yet" { return reason }
        if state == .connected { return "connected" }
    }
    return "no state"
}
