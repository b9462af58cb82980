import Foundation
import PCloudAMQP
import PCloudTestSupport
import Synchronization
import Testing

/// Link credit as backpressure: an `.everyMessage` consumer that falls far behind loses nothing,
/// because the broker holds the backlog instead of the client dropping it.
extension RealBrokerTests {
    @Suite(.serialized) struct ConsumerCreditTests {
        static let count = 5000

        /// A queue, and a topic with a wildcard binding as the agent monitor's links have.
        @Test(arguments: [
            ("/queue/pcloud-every", "/queue/pcloud-every"),
            ("/topic/#.status", "/topic/demo.web.status"),
        ])
        func aSlowEveryMessageConsumerGetsEveryMessageInOrder(address: String, publishTo: String) async throws {
            if let reason = BrokerProcess.missing {
                Issue.record("skipped: \(reason)")
                return
            }
            let broker = try BrokerProcess()
            let lines = LogLines()
            let client = AMQPClient(endpoint: controllerEndpoint(broker), log: lines.append)
            let inbox = client.receive(from: address, credit: 10, delivery: .everyMessage)
            try await waitConnected(client)
            // Once the link is attached (a probe came through), the consumer takes nothing until
            // all are published and the broker is done delivering what it may: a consumer as far
            // behind as it gets. Then it takes them, slowly.
            let attached = Mutex(false)
            let published = Mutex(false)
            let received = Mutex<[Int]>([])
            let consumer = Task {
                for await message in inbox {
                    if message.body == "probe" {
                        attached.withLock { $0 = true }
                        continue
                    }
                    while !published.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(50)) }
                    let count = received.withLock {
                        $0.append(Int(message.body) ?? -1)
                        return $0.count
                    }
                    if count % 500 == 0 { try? await Task.sleep(for: .milliseconds(100)) }
                }
            }
            try await eventually {
                try await client.send(AMQPMessage(body: "probe"), to: publishTo)
                guard attached.withLock({ $0 }) else { throw AMQPError("the link is not attached yet") }
            }
            for number in 0..<Self.count { try await client.send(AMQPMessage(body: "\(number)"), to: publishTo) }
            let queued = try await brokerSettled(broker)
            trace("\(address): \(queued) messages held by the broker while the consumer waits")
            published.withLock { $0 = true }

            let all = try await waitForProgress(to: Self.count) { received.withLock { $0.count } }
            consumer.cancel()
            let numbers = received.withLock { $0 }
            #expect(all, "received \(numbers.count) of \(Self.count)")
            // (not `numbers == Array(...)`: a failure would print 5000 numbers twice)
            let inOrder = numbers == Array(0..<Self.count)
            #expect(inOrder, "\(numbers.count) received, the first out of place at index \(firstGap(numbers) ?? numbers.count)")
            #expect(queued > Self.count / 2, "the broker should have held the backlog")
            #expect(!lines.lines.contains { $0.contains("dropped") }, "\(lines.lines.suffix(3))")
            await client.shutdown()
        }
    }
}

/// Waits until the broker's queues stop changing (publishing and delivering are over) and returns
/// the messages they hold.
private func brokerSettled(_ broker: BrokerProcess) async throws -> Int {
    var last = -1
    for _ in 0..<60 {
        try await Task.sleep(for: .milliseconds(500))
        let (status, output) = try broker.rabbitmqctl(["list_queues", "-q", "--no-table-headers", "messages"])
        guard status == 0 else { throw AMQPError("rabbitmqctl list_queues failed: \(output)") }
        let total = output.split(whereSeparator: \.isNewline).compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            .reduce(0, +)
        if total == last { return total }
        last = total
    }
    return last
}

/// Waits until `count()` reaches `target`; gives up when it has not grown for 20 s.
private func waitForProgress(to target: Int, _ count: () -> Int) async throws -> Bool {
    var idle = 0
    var last = count()
    while last < target && idle < 200 {
        try await Task.sleep(for: .milliseconds(100))
        let now = count()
        idle = now == last ? idle + 1 : 0
        last = now
    }
    return last >= target
}

private func firstGap(_ numbers: [Int]) -> Int? {
    zip(numbers, 0...).first { $0.0 != $0.1 }?.1
}
