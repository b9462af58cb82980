import Foundation

/// An AMQP 1.0 client driven by ONE dedicated proactor thread (never Swift's cooperative pool,
/// never a thread per peer). Connects with SASL PLAIN, reconnects with backoff, sends pre-settled
/// messages and receives with link credit, which is also its backpressure (see `AMQPDelivery`).
/// Call `shutdown()` when done.
public final class AMQPClient: Sendable {
    private let inbox: ProactorInbox
    private let subscriptionIDs = SubscriptionCounter()
    private let stopped = ThreadExit()

    public init(
        endpoint: AMQPEndpoint, backoff: ReconnectBackoff = ReconnectBackoff(),
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        let inbox = ProactorInbox()
        let stopped = stopped
        self.inbox = inbox
        let thread = Thread {
            ProactorLoop(inbox: inbox, endpoint: endpoint, backoff: backoff, log: log).run()
            inbox.free()
            stopped.signal()
        }
        thread.name = "pcloud-amqp-proactor"
        thread.start()
    }

    /// Sends `message` to `address` (e.g. `/queue/NAME`, `/topic/KEY`). Returns once Proton has
    /// it on the wire's link (at-most-once); throws when the broker is not connected or refuses.
    public func send(_ message: AMQPMessage, to address: String) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            inbox.enqueue(.send(message, address: address, done: done))
        }
    }

    /// Messages arriving at `address`, at most `credit` of them on their way to or waiting for the
    /// consumer. With `.everyMessage` (the default) credit is granted as the consumer takes
    /// messages, so a slow consumer gets every message in order and the broker queues the rest;
    /// with `.newestOnly` credit is granted as messages arrive and a consumer that falls behind
    /// gets the newest (the oldest dropped and logged). The subscription survives reconnects
    /// (messages the broker held for the old link may be lost with it); it ends when the consumer
    /// stops iterating or the client shuts down.
    public func receive(from address: String, credit: Int = 256, delivery: AMQPDelivery = .everyMessage) -> AMQPReceiver {
        let id = subscriptionIDs.next()
        let window = max(credit, 1)
        // `.everyMessage` needs no bound here: the loop never grants more than `window` credit
        // beyond what the consumer took, so the buffer holds `window` messages at most.
        let (stream, continuation) = AsyncStream.makeStream(
            of: AMQPMessage.self,
            bufferingPolicy: delivery == .newestOnly ? .bufferingNewest(max(credit * 4, 1024)) : .unbounded)
        let inbox = inbox
        continuation.onTermination = { reason in
            if case .cancelled = reason { inbox.enqueue(.unsubscribe(id: id)) }
        }
        inbox.enqueue(.subscribe(id: id, address: address, credit: window, delivery, continuation))
        return AMQPReceiver(stream, taken: delivery == .everyMessage ? TakenCredit(id: id, window: window, inbox: inbox) : nil)
    }

    /// The connection state now and each change after it (first element: the current state).
    public func connectionStates() -> AsyncStream<AMQPConnectionState> {
        inbox.states()
    }

    public var state: AMQPConnectionState { inbox.state }

    /// Closes the connection, ends every stream and waits for the proactor thread to exit.
    public func shutdown() async {
        inbox.enqueue(.stop)
        await stopped.wait()
    }
}

/// Subscription ids, unique per client.
private final class SubscriptionCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}

/// Lets async callers wait for the proactor thread to finish, without blocking a pool thread.
final class ThreadExit: @unchecked Sendable {
    private let lock = NSLock()
    private var exited = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func signal() {
        let waiting = lock.withLock {
            exited = true
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in waiting { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = lock.withLock {
                if exited { return true }
                waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
