import Foundation
import PCloudAMQP
import PCloudTestSupport
import Synchronization
import Testing

/// The Proton client against a real, private RabbitMQ.
extension RealBrokerTests {
    @Suite(.serialized) struct BrokerClientTests {
        @Test func messagesTravelThroughARealBrokerQueue() async throws {
            if let reason = BrokerProcess.missing {
                Issue.record("skipped: \(reason)")
                return
            }
            let broker = try BrokerProcess()
            trace("broker ready in \(broker.startupSeconds) s")
            let client = AMQPClient(endpoint: controllerEndpoint(broker)) { trace($0) }
            let inbox = client.receive(from: "/queue/pcloud-test", credit: 10)
            try await waitConnected(client)
            try await eventually { try await client.send(AMQPMessage(body: "first", subject: "s"), to: "/queue/pcloud-test") }
            try await client.send(AMQPMessage(body: "second", correlationID: "c-2"), to: "/queue/pcloud-test")
            var received: [AMQPMessage] = []
            for await message in inbox {
                received.append(message)
                if received.count == 2 { break }
            }
            #expect(received.map(\.body) == ["first", "second"])
            #expect(received.last?.correlationID == "c-2")
            await client.shutdown()
        }

        /// A `.newestOnly` consumer that does not keep up loses the oldest messages, and the client
        /// says so in its log instead of dropping them in silence.
        @Test func aConsumerThatFallsBehindIsReportedNotDroppedInSilence() async throws {
            if let reason = BrokerProcess.missing {
                Issue.record("skipped: \(reason)")
                return
            }
            let broker = try BrokerProcess()
            let lines = Mutex<[String]>([])
            let client = AMQPClient(endpoint: controllerEndpoint(broker)) { line in lines.withLock { $0.append(line) } }
            let inbox = client.receive(from: "/queue/pcloud-slow", credit: 10, delivery: .newestOnly)  // keeps the newest 1024
            try await waitConnected(client)
            try await eventually { try await client.send(AMQPMessage(body: "0"), to: "/queue/pcloud-slow") }
            for number in 1..<1100 { try await client.send(AMQPMessage(body: "\(number)"), to: "/queue/pcloud-slow") }
            var reported = false
            for _ in 0..<200 where !reported {
                try await Task.sleep(for: .milliseconds(50))
                reported = lines.withLock {
                    $0.contains { $0.contains("pcloud-slow: the consumer is behind: dropped the oldest") }
                }
            }
            #expect(reported, "\(lines.withLock { $0.suffix(5) })")
            var first: String?
            for await message in inbox {
                first = message.body
                break
            }
            #expect(first != "0", "the oldest message should have been dropped")
            await client.shutdown()
        }

        /// A wrong password, and the default `guest` account (deleted by pcloud-broker-users init).
        @Test func badCredentialsAreRefusedWithTheBrokersReason() async throws {
            if let reason = BrokerProcess.missing {
                Issue.record("skipped: \(reason)")
                return
            }
            let broker = try BrokerProcess()
            var wrongPassword = controllerEndpoint(broker)
            wrongPassword.password = "wrong"
            var defaultGuest = controllerEndpoint(broker)
            defaultGuest.user = "guest"
            defaultGuest.password = "guest"
            for endpoint in [wrongPassword, defaultGuest] {
                let client = AMQPClient(endpoint: endpoint, backoff: ReconnectBackoff(initial: .seconds(1), maximum: .seconds(5)))
                var reason = ""
                for await state in client.connectionStates() {
                    if case .disconnected(let text) = state, text != "not connected yet" {
                        reason = text
                        break
                    }
                }
                #expect(reason.contains("amqp:unauthorized-access"), "\(endpoint.user): \(reason)")
                await #expect(throws: AMQPError.self) { try await client.send(AMQPMessage(body: "x"), to: "/queue/q") }
                await client.shutdown()
            }
        }

        @Test func guestUserMayNotPublishAsAnotherDeployable() async throws {
            if let reason = BrokerProcess.missing {
                Issue.record("skipped: \(reason)")
                return
            }
            let broker = try BrokerProcess()
            try broker.addDeployableUser("demo", password: "demo-secret")
            let guest = AMQPClient(
                endpoint: AMQPEndpoint(
                    host: "127.0.0.1", port: Int(broker.port), user: "pcloud-demo", password: "demo-secret",
                    containerID: "demo/web")
            ) { trace($0) }
            try await waitConnected(guest)
            try await eventually { try await guest.send(AMQPMessage(body: "ok"), to: "/topic/demo.web.heartbeat") }
            // A forged routing key is refused by the broker's topic permissions: it ends the session,
            // the client reports why and reconnects.
            let states = guest.connectionStates()
            try? await guest.send(AMQPMessage(body: "forged"), to: "/topic/other.web.heartbeat")
            var refusal = ""
            for await state in states {
                if case .disconnected(let reason) = state {
                    refusal = reason
                    break
                }
            }
            #expect(refusal.contains("access") || refusal.contains("unauthorized"), "\(refusal)")
            await guest.shutdown()
        }
    }
}

func controllerEndpoint(_ broker: BrokerProcess) -> AMQPEndpoint {
    AMQPEndpoint(
        host: "127.0.0.1", port: Int(broker.port), user: "pcloud", password: broker.controllerPassword, containerID: "controller")
}

func waitConnected(_ client: AMQPClient, timeout: Duration = .seconds(20)) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if client.state == .connected { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw AMQPError("not connected within \(timeout): \(client.state)")
}

/// Retries `body` for a few seconds (links attach asynchronously after connecting).
func eventually(_ timeout: Duration = .seconds(10), _ body: () async throws -> Void) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        do {
            return try await body()
        } catch {
            if clock.now >= deadline { throw error }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// Test diagnostics on stderr (unbuffered, so they survive a killed test run).
func trace(_ line: String) {
    FileHandle.standardError.write(Data("[amqp-test] \(line)\n".utf8))
}
