import Synchronization

/// What a subscription does when its consumer is slower than the messages arriving.
public enum AMQPDelivery: Sendable, Hashable {
    /// Credit is granted as messages arrive, so the broker never holds a backlog for this link;
    /// a consumer that falls behind gets the newest messages and the oldest are dropped (and the
    /// drop is logged, see `ConsumerLag`). For messages where only the latest counts: heartbeats.
    case newestOnly
    /// Credit is granted as the consumer TAKES messages: at most `credit` messages are ever on
    /// their way to or waiting in the client, the broker queues the rest, and the consumer gets
    /// every message in order, none dropped. For messages that must not be lost: pushed status
    /// changes, replies, requests.
    case everyMessage
}

/// The messages of one subscription (see `AMQPClient.receive`). Iterate it once; it ends when the
/// client shuts down, and the subscription ends when the iteration is cancelled or abandoned.
public struct AMQPReceiver: AsyncSequence, Sendable {
    public typealias Element = AMQPMessage
    public typealias Failure = Never

    private let messages: AsyncStream<AMQPMessage>
    /// Only for `.everyMessage`: tells the proactor loop what the consumer took.
    private let taken: TakenCredit?

    init(_ messages: AsyncStream<AMQPMessage>, taken: TakenCredit?) {
        self.messages = messages
        self.taken = taken
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(messages: messages.makeAsyncIterator(), taken: taken)
    }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = AMQPMessage
        public typealias Failure = Never

        private var messages: AsyncStream<AMQPMessage>.Iterator
        private let taken: TakenCredit?

        init(messages: AsyncStream<AMQPMessage>.Iterator, taken: TakenCredit?) {
            self.messages = messages
            self.taken = taken
        }

        public mutating func next() async -> AMQPMessage? {
            let message = await messages.next()
            if message != nil { taken?.tookOne() }
            return message
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> AMQPMessage? {
            let message = await messages.next(isolation: actor)
            if message != nil { taken?.tookOne() }
            return message
        }
    }
}

/// Counts the messages an `.everyMessage` consumer took and hands them back to the proactor loop
/// as credit, in batches of half the window (so the loop is woken once per batch, not per
/// message). Half the window at most stays unreported, so a consumer that emptied its buffer has
/// always reported enough for the loop to grant more: the link never stalls.
final class TakenCredit: Sendable {
    private let id: Int
    private let batch: Int
    private let inbox: ProactorInbox
    private let unreported = Mutex(0)

    init(id: Int, window: Int, inbox: ProactorInbox) {
        self.id = id
        self.batch = max(window / 2, 1)
        self.inbox = inbox
    }

    func tookOne() {
        let report = unreported.withLock { count -> Int in
            count += 1
            guard count >= batch else { return 0 }
            defer { count = 0 }
            return count
        }
        if report > 0 { inbox.enqueue(.took(id: id, count: report)) }
    }
}
