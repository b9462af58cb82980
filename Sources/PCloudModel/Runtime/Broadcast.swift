import Foundation

/// Fans elements out to every listener: each caller of `stream()` gets a stream of its own. (One
/// shared `AsyncStream` hands each element to one waiting reader only, and one reader's
/// cancellation finishes it for all.) Registration is synchronous, so a listener obtained from
/// `stream()` misses nothing published after the call returns.
public final class Broadcast<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var listeners: [Int: AsyncStream<Element>.Continuation] = [:]
    private var nextID = 0

    public init() {}

    /// A new listener; `replaying` is yielded first (the current state, for a state stream).
    public func stream(replaying first: Element? = nil) -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(4096))
        if let first { continuation.yield(first) }
        let id = lock.withLock {
            nextID += 1
            listeners[nextID] = continuation
            return nextID
        }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.lock.withLock { _ = self.listeners.removeValue(forKey: id) }
        }
        return stream
    }

    public func publish(_ element: Element) {
        for listener in lock.withLock({ Array(listeners.values) }) { listener.yield(element) }
    }

    public func finish() {
        let all = lock.withLock {
            defer { listeners.removeAll() }
            return Array(listeners.values)
        }
        for listener in all { listener.finish() }
    }
}

/// Every caller of a monitor's `observations()` gets a stream of its own.
public typealias ObservationHub = Broadcast<Observation>
