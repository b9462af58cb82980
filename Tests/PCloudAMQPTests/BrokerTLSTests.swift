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
            let broker = try BrokerProcess(
                extraConfig: """
                    listeners.ssl.default = 127.0.0.1:\(tlsPort)
                    ssl_options.cacertfile = \(certificates.path("ca.pem"))
                    ssl_options.certfile = \(certificates.path("server.pem"))
                    ssl_options.keyfile = \(certificates.path("server.key"))
                    ssl_options.verify = verify_none
                    ssl_options.fail_if_no_peer_cert = false
                    """)
            #expect(waitUntil(timeout: 30) { portIsOpen("127.0.0.1", tlsPort) }, "\(broker.log.suffix(2000))")
            try broker.addDeployableUser("demo", password: "demo-secret")

            // The controller's monitor over TLS hears a real agent that also connects over TLS.
            var endpoint = controllerEndpoint(broker)
            endpoint.port = Int(tlsPort)
            endpoint.tls = AMQPTLS(caFile: certificates.path("ca.pem"))
            let monitor = AgentMonitor(endpoint: endpoint)
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

/// A test CA, a broker certificate it signed for 127.0.0.1, and an unrelated CA. Proton checks the
/// broker's name against DNS subjectAltNames and the CN only (not IP subjectAltNames), so the
/// address is in both.
private struct TestCertificates {
    let directory = URL(fileURLWithPath: "/tmp/pcloud-tls-\(UUID().uuidString.prefix(8))")

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost\n".write(
            toFile: path("san.ext"), atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=pcloud test CA",
                "-keyout", path("ca.key"), "-out", path("ca.pem"),
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", path("server.key"),
                "-out", path("server.csr"),
            ],
            [
                "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                "-CAcreateserial", "-days", "2", "-extfile", path("san.ext"), "-out", path("server.pem"),
            ],
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=another CA",
                "-keyout", path("other-ca.key"), "-out", path("other-ca.pem"),
            ],
        ]
        for step in steps {
            let (status, output) = try runCommand("/usr/bin/openssl", step)
            guard status == 0 else { throw AMQPError("openssl \(step.first ?? "") failed: \(output)") }
        }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
