import Synchronization

/// Says "ready" once every API listener is bound and accepting (the unix socket, and the TCP
/// listener when there is one): systemd's READY=1 must not reach a client that would then find
/// no socket to connect to.
public final class ListenerReadiness: Sendable {
    private let waiting: Mutex<Int>
    private let ready: @Sendable () -> Void

    public init(listeners: Int, ready: @escaping @Sendable () -> Void) {
        waiting = Mutex(listeners)
        self.ready = ready
    }

    /// One listener is accepting; the last one calls `ready` (once).
    public func listening() {
        let left = waiting.withLock { waiting in
            waiting -= 1
            return waiting
        }
        if left == 0 { ready() }
    }
}
