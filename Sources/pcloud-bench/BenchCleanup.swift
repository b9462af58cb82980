import Foundation
import Synchronization

/// What a benchmark must undo even when it is interrupted (namespaces, sshd processes): actions
/// registered here run on SIGINT/SIGTERM before the process exits, and at the end of a normal run
/// through `runAll()`. Each action runs once.
enum BenchCleanup {
    private static let actions = Mutex<[(id: Int, action: @Sendable () -> Void)]>([])
    private static let nextID = Atomic<Int>(0)
    private static let sources = Mutex<[any DispatchSourceSignal]>([])

    /// Registers `action`; returns a handle for `remove(_:)` once it was done normally.
    @discardableResult
    static func register(_ action: @escaping @Sendable () -> Void) -> Int {
        installHandlers()
        let id = nextID.add(1, ordering: .relaxed).newValue
        actions.withLock { $0.append((id, action)) }
        return id
    }

    static func remove(_ id: Int) { actions.withLock { $0.removeAll { $0.id == id } } }

    /// Runs every registered action, newest first.
    static func runAll() {
        let pending = actions.withLock { list in
            defer { list = [] }
            return list
        }
        for entry in pending.reversed() { entry.action() }
    }

    private static func installHandlers() {
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler {
                    FileHandle.standardError.write(Data("interrupted: stopping the guests and removing the namespaces\n".utf8))
                    runAll()
                    exit(130)
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}
