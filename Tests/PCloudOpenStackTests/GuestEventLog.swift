import Foundation
import PCloudModel
import Synchronization

/// Everything one `events()` stream yielded, consumed in the background so a test can wait for a
/// matching event (with a limit) and later look at all of them. `cancel()` ends the consumer,
/// which terminates the stream like an engine that stopped.
final class GuestEventLog: Sendable {
    private struct State {
        var seen: [GuestEvent] = []
        var ended = false
        var waiters: [Int: (matches: @Sendable (GuestEvent) -> Bool, continuation: CheckedContinuation<GuestEvent?, Never>)] =
            [:]
        var nextID = 0
    }

    private let state = Mutex(State())
    private let consumer = Mutex<Task<Void, Never>?>(nil)

    init(_ stream: AsyncStream<GuestEvent>) {
        let task = Task { await self.consume(stream) }
        consumer.withLock { $0 = task }
    }

    private func consume(_ stream: AsyncStream<GuestEvent>) async {
        for await event in stream {
            let ready = state.withLock { state in
                state.seen.append(event)
                let ready = state.waiters.filter { $0.value.matches(event) }
                for id in ready.keys { state.waiters[id] = nil }
                return ready.values.map(\.continuation)
            }
            for continuation in ready { continuation.resume(returning: event) }
        }
        let waiting = state.withLock { state in
            state.ended = true
            defer { state.waiters.removeAll() }
            return state.waiters.values.map(\.continuation)
        }
        for continuation in waiting { continuation.resume(returning: nil) }
    }

    var all: [GuestEvent] { state.withLock { $0.seen } }

    func cancel() { consumer.withLock { $0?.cancel() } }

    /// The first event so far or to come that `matches`, or nil after `limit` or once the stream ended.
    func first(
        within limit: Duration = .seconds(60), where matches: @escaping @Sendable (GuestEvent) -> Bool
    ) async
        -> GuestEvent?
    {
        await withTaskGroup(of: GuestEvent?.self) { group in
            group.addTask { await self.wait(for: matches) }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
    }

    private func wait(for matches: @escaping @Sendable (GuestEvent) -> Bool) async -> GuestEvent? {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate: GuestEvent?? = state.withLock { state in
                    if let found = state.seen.first(where: matches) { return .some(found) }
                    if state.ended || Task.isCancelled { return .some(nil) }
                    state.waiters[id] = (matches, continuation)
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(returning: nil)
        }
    }
}
