import CQpidProton

/// The proactor loop's subscriptions, their receiving links and the credit each link is granted.
/// Used only on the proactor thread, like every Proton object it holds. A subscription outlives
/// its links: it is attached again on every new connection.
///
/// Credit, per subscription with a window of W messages:
/// - `.newestOnly`: the link is topped up to W as messages arrive, whatever the consumer does; its
///   stream keeps the newest messages and drops (and logs) the oldest.
/// - `.everyMessage`: `unreturned` counts messages handed to the stream that the consumer has not
///   yet reported taken. The link's credit plus `unreturned` never exceeds W: a new link gets
///   W - unreturned, and only what the consumer took (`took`) is granted again. So at most W
///   messages wait in the client, and the broker holds the backlog.
final class ReceiverLinks {
    private struct Subscription {
        let address: String
        let window: Int
        let delivery: AMQPDelivery
        let continuation: AsyncStream<AMQPMessage>.Continuation
        var link: OpaquePointer?
        var unreturned = 0
        var behind = ConsumerLag()
    }

    /// Deliveries larger than this are rejected unread (a guest cannot exhaust the controller).
    static let maxMessageBytes = 256 * 1024

    private let log: @Sendable (String) -> Void
    private var subscriptions: [Int: Subscription] = [:]
    private var receivers: [OpaquePointer: Int] = [:]

    init(log: @escaping @Sendable (String) -> Void) {
        self.log = log
    }

    /// A new subscription; its link is attached now when there is a session, else on connect.
    func add(
        id: Int, address: String, window: Int, delivery: AMQPDelivery, continuation: AsyncStream<AMQPMessage>.Continuation,
        session: OpaquePointer?
    ) {
        subscriptions[id] = Subscription(address: address, window: window, delivery: delivery, continuation: continuation)
        if let session { open(id, on: session) }
    }

    /// Ends a subscription: closes its link and finishes its stream.
    func remove(_ id: Int) {
        guard let subscription = subscriptions.removeValue(forKey: id) else { return }
        if let link = subscription.link {
            receivers[link] = nil
            pn_link_close(link)
        }
        subscription.continuation.finish()
    }

    /// Attaches every subscription to a new connection's session.
    func openAll(on session: OpaquePointer) {
        for id in subscriptions.keys { open(id, on: session) }
    }

    private func open(_ id: Int, on session: OpaquePointer) {
        guard let subscription = subscriptions[id] else { return }
        let link = pn_receiver(session, "receive:\(id):\(subscription.address)")!
        pn_terminus_set_address(pn_link_source(link), subscription.address)
        pn_link_open(link)
        let credit = subscription.delivery == .everyMessage ? subscription.window - subscription.unreturned : subscription.window
        if credit > 0 { pn_link_flow(link, Int32(credit)) }
        subscriptions[id]?.link = link
        receivers[link] = id
    }

    /// An `.everyMessage` consumer took `count` messages: grant that much credit again.
    func took(_ id: Int, count: Int) {
        guard let subscription = subscriptions[id] else { return }
        subscriptions[id]?.unreturned = max(subscription.unreturned - count, 0)
        if let link = subscription.link { pn_link_flow(link, Int32(count)) }
    }

    /// Reads a complete delivery on a receiving link into its subscription's stream, settles it
    /// (accepted, or rejected when oversized or undecodable) and grants credit per the
    /// subscription's delivery mode.
    func receive(_ delivery: OpaquePointer) {
        let link = pn_delivery_link(delivery)!
        guard pn_link_is_receiver(link), pn_delivery_readable(delivery), !pn_delivery_partial(delivery) else { return }
        let size = pn_delivery_pending(delivery)
        var bytes = [UInt8](repeating: 0, count: max(size, 0))
        if size > 0 {
            _ = bytes.withUnsafeMutableBytes {
                pn_link_recv(link, $0.baseAddress!.assumingMemoryBound(to: CChar.self), size)
            }
        }
        pn_link_advance(link)
        guard let id = receivers[link], let subscription = subscriptions[id] else {
            pn_delivery_update(delivery, UInt64(PN_RELEASED))
            pn_delivery_settle(delivery)
            return
        }
        var handedOver = false
        if size > Self.maxMessageBytes {
            log("rejected a \(size)-byte message from \(subscription.address): larger than \(Self.maxMessageBytes) bytes")
            pn_delivery_update(delivery, UInt64(PN_REJECTED))
        } else {
            do {
                let result = subscription.continuation.yield(try AMQPMessage(decoding: bytes))
                handedOver = true
                if case .dropped = result, let report = subscriptions[id]?.behind.dropped(now: .now) {
                    log("receiver \(subscription.address): \(report)")
                }
                pn_delivery_update(delivery, UInt64(PN_ACCEPTED))
            } catch {
                log("rejected a message from \(subscription.address): \(error)")
                pn_delivery_update(delivery, UInt64(PN_REJECTED))
            }
        }
        pn_delivery_settle(delivery)
        switch subscription.delivery {
        case .newestOnly:
            let credit = Int(pn_link_credit(link))
            if credit < subscription.window / 2 + 1 { pn_link_flow(link, Int32(subscription.window - credit)) }
        case .everyMessage where handedOver:
            // Credit comes back when the consumer takes it (`took`).
            subscriptions[id]?.unreturned += 1
        case .everyMessage:
            pn_link_flow(link, 1)  // nothing reached the consumer: the credit is free again
        }
    }

    /// Forgets a receiving link the broker closed (nothing when `link` is not one of them).
    func closed(_ link: OpaquePointer, reason: String) {
        guard let id = receivers.removeValue(forKey: link) else { return }
        subscriptions[id]?.link = nil
        log("receiver \(subscriptions[id]?.address ?? "?") closed: \(reason); reopened on reconnect")
    }

    /// The connection is gone, and every link with it; subscriptions stay for the next one.
    func connectionLost() {
        receivers.removeAll()
        for id in subscriptions.keys { subscriptions[id]?.link = nil }
    }

    /// The client stops: every stream ends.
    func finishAll() {
        for subscription in subscriptions.values { subscription.continuation.finish() }
        subscriptions.removeAll()
        receivers.removeAll()
    }
}
