import Foundation

/// Fans observations out to every listener: each caller of a monitor's `observations()` gets a
/// stream of its own. (One shared `AsyncStream` hands each element to one waiting reader only, and
/// one reader's cancellation finishes it for all.) Registration is synchronous, so a listener
/// obtained from `observations()` misses nothing published after the call returns.
public final class ObservationHub: @unchecked Sendable {
    private let lock = NSLock()
    private var listeners: [Int: AsyncStream<Observation>.Continuation] = [:]
    private var nextID = 0

    public init() {}

    public func stream() -> AsyncStream<Observation> {
        let (stream, continuation) = AsyncStream.makeStream(of: Observation.self, bufferingPolicy: .bufferingNewest(4096))
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

    public func publish(_ observation: Observation) {
        for listener in lock.withLock({ Array(listeners.values) }) { listener.yield(observation) }
    }

    public func finish() {
        let all = lock.withLock {
            defer { listeners.removeAll() }
            return Array(listeners.values)
        }
        for listener in all { listener.finish() }
    }
}
