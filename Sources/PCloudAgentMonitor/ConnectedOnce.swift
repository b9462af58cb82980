import Synchronization

/// Set once the monitor's broker connection has been up, and never cleared.
final class ConnectedOnce: Sendable {
    private let flag = Atomic<Bool>(false)

    var value: Bool { flag.load(ordering: .acquiring) }

    func mark() { flag.store(true, ordering: .releasing) }
}
