import CLibssh2
import Glibc

/// The loop thread's own state: the sessions, the read buffer, the sweep schedule. Created on the
/// loop thread and never shared.
final class LoopState {
    private let loop: SSHEventLoop
    private var sessions: [Int: SessionMachine] = [:]
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 16)
    private var nextSweep: ContinuousClock.Instant?
    private var running = true

    init(loop: SSHEventLoop) { self.loop = loop }

    deinit { buffer.deallocate() }

    func run() {
        let capacity = 512
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while running {
            let count = epoll_wait(loop.epollFD, events, Int32(capacity), timeoutMilliseconds())
            for index in 0..<max(0, Int(count)) {
                let event = events[index]
                if event.data.u64 == UInt64.max { continue }
                guard let session = sessions[Int(event.data.u64)] else { continue }
                session.handle(events: event.events, buffer: buffer)
                schedule(session.nextDeadline())
            }
            for command in loop.takeCommands() { handle(command) }
            if let due = nextSweep, ContinuousClock.now >= due { sweep() }
        }
        for session in sessions.values { session.close() }
        let closed = sessions.count
        sessions = [:]
        loop.finished(closing: closed)
    }

    private func handle(_ command: LoopCommand) {
        switch command {
        case .open(let id, let configuration):
            sessions[id] = SessionMachine(id: id, configuration: configuration, epollFD: loop.epollFD)
        case .exec(let id, let number, let text, let timeout, let limit, let continuation):
            let operation = SessionOperation(
                kind: .exec(command: text, outputLimit: limit), number: number, timeout: timeout,
                completion: .exec(continuation))
            enqueue(operation, on: id)
        case .cancel(let id, let number):
            sessions[id]?.cancel(number, buffer: buffer)
        case .connect(let id, let timeout, let continuation):
            enqueue(
                SessionOperation(kind: .connect, number: 0, timeout: timeout, completion: .connect(continuation)),
                on: id)
        case .close(let id, let continuation):
            sessions.removeValue(forKey: id)?.close()
            continuation?.resume()
        case .count(let continuation):
            if sshTrace { for session in sessions.values { traceLine(session.dump() + "\n") } }
            continuation.resume(returning: sessions.count)
        case .shutdown:
            running = false
        }
    }

    private func enqueue(_ operation: SessionOperation, on id: Int) {
        guard let session = sessions[id] else { return operation.fail(.closed) }
        session.enqueue(operation, buffer: buffer)
        schedule(session.nextDeadline())
    }

    private func schedule(_ deadline: ContinuousClock.Instant?) {
        guard let deadline else { return }
        if let current = nextSweep, current <= deadline { return }
        nextSweep = deadline
    }

    private func sweep() {
        nextSweep = nil
        for session in sessions.values { schedule(session.sweep(buffer: buffer)) }
    }

    private func timeoutMilliseconds() -> Int32 {
        guard let due = nextSweep else { return -1 }
        let remaining = ContinuousClock.now.duration(to: due)
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        return Int32(min(60_000, seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1))
    }
}
