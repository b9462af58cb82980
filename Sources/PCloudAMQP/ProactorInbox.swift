import CQpidProton
import Foundation

/// What other threads ask of the proactor thread.
enum ProactorCommand {
    case send(AMQPMessage, address: String, done: CheckedContinuation<Void, any Error>)
    case subscribe(id: Int, address: String, credit: Int, AMQPDelivery, AsyncStream<AMQPMessage>.Continuation)
    /// An `.everyMessage` consumer took `count` messages: the loop may grant that much credit again.
    case took(id: Int, count: Int)
    case unsubscribe(id: Int)
    case stop
}

/// The only state shared between callers and the proactor thread, guarded by `lock`: queued
/// commands and the connection to wake. `pn_connection_wake` and `pn_proactor_interrupt` are
/// Proton's thread-safe calls; every other Proton call happens on the proactor thread.
final class ProactorInbox: @unchecked Sendable {
    let proactor: OpaquePointer
    private let lock = NSLock()
    private var commands: [ProactorCommand] = []
    private var wakeTarget: OpaquePointer?
    private var stateListeners: [Int: AsyncStream<AMQPConnectionState>.Continuation] = [:]
    private var nextListener = 0
    private(set) var lastState: AMQPConnectionState = .disconnected(reason: "not connected yet")
    /// Set once the proactor is freed: commands after that are refused here, never handed to it.
    private var freed = false

    init() {
        proactor = pn_proactor()
    }

    /// Frees the proactor; called once by the proactor thread after its loop ended.
    func free() {
        let refused = lock.withLock {
            freed = true
            wakeTarget = nil
            pn_proactor_free(proactor)
            defer { commands.removeAll() }
            return commands
        }
        for command in refused { Self.refuse(command) }
    }

    /// A command after shutdown (an engine still probing while the controller stops) fails like
    /// a lost connection instead of waking a freed proactor.
    func enqueue(_ command: ProactorCommand) {
        let accepted = lock.withLock {
            guard !freed else { return false }
            commands.append(command)
            if let wakeTarget {
                pn_connection_wake(wakeTarget)
            } else {
                pn_proactor_interrupt(proactor)
            }
            return true
        }
        if !accepted { Self.refuse(command) }
    }

    private static func refuse(_ command: ProactorCommand) {
        switch command {
        case .send(_, let address, let done):
            done.resume(throwing: AMQPError("cannot send to \(address): the client was shut down"))
        case .subscribe(_, _, _, _, let continuation): continuation.finish()
        case .took, .unsubscribe, .stop: break
        }
    }

    func takeCommands() -> [ProactorCommand] {
        lock.withLock {
            defer { commands.removeAll() }
            return commands
        }
    }

    /// Set by the proactor thread: the connection to wake, or nil between connections.
    func setWakeTarget(_ connection: OpaquePointer?) {
        lock.withLock { wakeTarget = connection }
    }

    var state: AMQPConnectionState { lock.withLock { lastState } }

    func publish(_ state: AMQPConnectionState) {
        let listeners = lock.withLock {
            lastState = state
            return Array(stateListeners.values)
        }
        for listener in listeners { listener.yield(state) }
    }

    func states() -> AsyncStream<AMQPConnectionState> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: AMQPConnectionState.self, bufferingPolicy: .bufferingNewest(64))
        let id = lock.withLock {
            nextListener += 1
            stateListeners[nextListener] = continuation
            continuation.yield(lastState)
            return nextListener
        }
        continuation.onTermination = { [weak self] _ in
            self?.lock.withLock { _ = self?.stateListeners.removeValue(forKey: id) }
        }
        return stream
    }

    func finishStates() {
        let listeners = lock.withLock {
            defer { stateListeners.removeAll() }
            return Array(stateListeners.values)
        }
        for listener in listeners { listener.finish() }
    }
}
