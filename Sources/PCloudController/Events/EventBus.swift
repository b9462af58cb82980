import Foundation
import PCloudStore

/// Every decision and action as an event: stored first (so history and sequence numbers survive
/// restarts), then handed to live subscribers (the API's stream, hooks, metrics).
public actor EventBus {
    let store: Store
    private var subscribers: [UUID: Subscriber] = [:]

    private struct Subscriber {
        var continuation: AsyncStream<StoredEvent>.Continuation
        var deployable: String?
        /// While history is being replayed, live events wait here so the stream stays in order.
        var pending: [StoredEvent]?
    }

    public init(store: Store) {
        self.store = store
    }

    /// Stores `events` and delivers them to every subscriber, in sequence order.
    @discardableResult
    public func publish(_ events: [StoredEvent]) async throws -> [StoredEvent] {
        guard !events.isEmpty else { return [] }
        let stored = try await store.appendAsync(events)
        for id in subscribers.keys {
            for event in stored where subscribers[id]?.deployable == nil || subscribers[id]?.deployable == event.deployable {
                if subscribers[id]?.pending != nil {
                    subscribers[id]?.pending?.append(event)
                } else {
                    subscribers[id]?.continuation.yield(event)
                }
            }
        }
        return stored
    }

    /// Events after `seq` from history, then live ones as they are published: in order, with no gap
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
