import Foundation
import PCloudStore

/// Every decision and action as an event: stored first (so history and sequence numbers survive
/// restarts), then handed to live subscribers (the API's stream, hooks, metrics).
///
/// Delivery follows the store, not the callers of `publish`: the bus keeps the sequence number of the
/// last event it delivered and hands on everything stored after it, in order. So events another
/// process wrote (`pcloudsh deployable_import` on the store file) or the store recorded itself (every
/// definition change) reach subscribers too, once each: `catchUp()` delivers them, called after this
/// process's own writes and on `EventBusFollower`'s tick for other processes' (SQLite cannot notify
/// another process, so that half polls `seq > delivered`, one primary-key range read).
public actor EventBus {
    let store: Store
    private var subscribers: [UUID: Subscriber] = [:]
    /// The last sequence number handed to subscribers; nil until first read from the store.
    private var delivered: Int64?
    private let onDelivery: @Sendable (StoredEvent) -> Void

    private struct Subscriber {
        var continuation: AsyncStream<StoredEvent>.Continuation
        var deployable: String?
        /// While history is being replayed, live events wait here so the stream stays in order.
        var pending: [StoredEvent]?
    }

    /// `onDelivery` sees every event once, as it is delivered (metrics, the log).
    public init(store: Store, onDelivery: @escaping @Sendable (StoredEvent) -> Void = { _ in }) {
        self.store = store
        self.onDelivery = onDelivery
        // Events stored before this bus existed are history, not news.
        self.delivered = try? store.lastEventSeq()
    }

    /// Stores `events` and delivers them (and anything stored before them not yet delivered) to every
    /// subscriber, in sequence order.
    /// `epoch`: the lease the writer acts under (several controllers): the store refuses the
    /// events (`StoreError.staleEpoch`, nothing written) once another controller holds it.
    @discardableResult
    public func publish(_ events: [StoredEvent], epoch: Int64? = nil) async throws -> [StoredEvent] {
        guard !events.isEmpty else { return [] }
        let stored = try await store.append(events, epoch: epoch)
        try await catchUp()
        return stored
    }

    /// Delivers every stored event after the last one delivered, whoever stored it.
    public func catchUp() async throws {
        if delivered == nil { delivered = try await store.lastEventSeqAsync() }
        while true {
            let page = try await store.eventsAsync(after: delivered ?? 0, limit: 1000)
            // Another catchUp may have run while this one read: hand on only what it has not.
            for event in page where event.seq > delivered ?? 0 {
                delivered = event.seq
                deliver(event)
            }
            if page.count < 1000 { return }
        }
    }

    private func deliver(_ event: StoredEvent) {
        onDelivery(event)
        for id in subscribers.keys where subscribers[id]?.deployable == nil || subscribers[id]?.deployable == event.deployable {
            if subscribers[id]?.pending != nil {
                subscribers[id]?.pending?.append(event)
            } else {
                subscribers[id]?.continuation.yield(event)
            }
        }
    }

    /// Events after `seq` from history, then live ones as they are delivered: in order, with no gap
    /// and no duplicate between the two.
    public func subscribe(after seq: Int64, deployable: String? = nil) async throws -> AsyncStream<StoredEvent> {
        let (stream, continuation) = AsyncStream<StoredEvent>.makeStream(bufferingPolicy: .bufferingNewest(100_000))
        let id = UUID()
        subscribers[id] = Subscriber(continuation: continuation, deployable: deployable, pending: [])
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        var cursor = seq
        do {
            while true {
                let page = try await store.eventsAsync(after: cursor, deployable: deployable, limit: 1000)
                for event in page { continuation.yield(event) }
                cursor = page.last?.seq ?? cursor
                if page.count < 1000 { break }
            }
        } catch {
            subscribers[id] = nil
            continuation.finish()
            throw error
        }
        for event in subscribers[id]?.pending ?? [] where event.seq > cursor { continuation.yield(event) }
        subscribers[id]?.pending = nil
        return stream
    }

    private func unsubscribe(_ id: UUID) {
        subscribers[id] = nil
    }

    /// Ends every live stream (on shutdown).
    public func finishAll() {
        for subscriber in subscribers.values { subscriber.continuation.finish() }
        subscribers.removeAll()
    }
}
