import Foundation
import PCloudModel

/// The agent monitor's connection as engines see it: nothing until the broker connection was first
/// up (the first connect is not an outage), then up or down, each change once. Down is the broker
/// connection lost, or the broker path suspect while the connection is open (every agent silent at
/// once). A new listener gets the current state first, so an engine started during an outage
/// reports it.
final class ConnectionFeed: @unchecked Sendable {
    private let lock = NSLock()
    private var current: MonitorConnectionState?
    private let listeners = Broadcast<MonitorConnectionState>()

    /// Publishes `state` if it differs from the current one.
    func set(_ state: MonitorConnectionState) {
        lock.withLock {
            guard state != current else { return }
            current = state
            listeners.publish(state)
        }
    }

    func stream() -> AsyncStream<MonitorConnectionState> {
        lock.withLock { listeners.stream(replaying: current) }
    }

    func finish() {
        listeners.finish()
    }
}
