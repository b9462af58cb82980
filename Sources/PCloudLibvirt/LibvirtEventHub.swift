import Foundation

/// Where libvirt's callbacks (on the event-loop thread) hand events to Swift: lifecycle events go
/// to every subscriber's AsyncStream; a closed connection goes to the connection's close handler.
/// Callbacks never block and never call back into libvirt.
final class LibvirtEventHub: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<DomainLifecycleEvent>.Continuation] = [:]
    private var closeHandler: (@Sendable (Int32) -> Void)?

    func subscribe() -> AsyncStream<DomainLifecycleEvent> {
        let (stream, continuation) = AsyncStream<DomainLifecycleEvent>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let id = UUID()
        lock.withLock { subscribers[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ event: DomainLifecycleEvent) {
        let targets = lock.withLock { Array(subscribers.values) }
        for continuation in targets { continuation.yield(event) }
    }

    func onClose(_ handler: @escaping @Sendable (Int32) -> Void) {
        lock.withLock { closeHandler = handler }
    }

    func closed(reason: Int32) {
        let handler = lock.withLock { closeHandler }
        handler?(reason)
    }

    func finish() {
        let targets = lock.withLock {
            let all = Array(subscribers.values)
            subscribers.removeAll()
            return all
        }
        for continuation in targets { continuation.finish() }
    }
}
