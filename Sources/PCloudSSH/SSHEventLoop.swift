import CLibssh2
import Glibc
import Synchronization

/// The one thread that drives every ssh session: an epoll loop over the sessions' sockets on a
/// dedicated thread (never Swift's cooperative pool). Async callers hand it requests; their
/// continuations are resumed from this thread when the work is done.
public final class SSHEventLoop: Sendable {
    /// The process-wide loop, started on first use.
    public static let shared = SSHEventLoop()

    let epollFD: Int32
    let wakeFD: Int32
    private let inbox = Mutex<(commands: [LoopCommand], stopped: Bool)>(([], false))
    private let thread = Mutex<(id: Int32?, running: Bool)>((nil, true))
    private let sessionIDs = Atomic<Int>(0)
    /// Set once the thread has closed its sessions; who waits for that, and how many it closed.
    private let ending = Mutex<(closed: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    /// Starts the loop's thread (named `pcloud-ssh-loop`).
    public init() {
        // A peer that vanishes must surface as an error, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = UInt64.max
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
        var pthread = pthread_t()
        let box = Unmanaged.passRetained(self)
        pthread_create(
            &pthread, nil,
            { raw in
                let loop = Unmanaged<SSHEventLoop>.fromOpaque(raw!).takeRetainedValue()
                pcloud_ssh_name_thread("pcloud-ssh-loop")
                loop.thread.withLock { $0.id = pcloud_ssh_gettid() }
                LoopState(loop: loop).run()
                return nil
            }, box.toOpaque())
        pthread_detach(pthread)
    }

    /// The kernel thread id of the loop thread, once it runs (tests check it is the only one).
    public var threadID: Int32? { thread.withLock { $0.id } }

    /// Stops the loop: every session is closed and the thread ends.
    public func shutdown() {
        submit(.shutdown)
    }

    /// Stops the loop and returns once its thread has closed every session (how many it closed)
    /// and is ending; at once when it had already stopped.
    @discardableResult
    public func shutdownAndWait() async -> Int {
        await withCheckedContinuation { continuation in
            let closed = ending.withLock { state in
                if state.closed == nil { state.waiters.append(continuation) }
                return state.closed
            }
            if let closed { return continuation.resume(returning: closed) }
            submit(.shutdown)
        }
    }

    func nextSessionID() -> Int { sessionIDs.add(1, ordering: .relaxed).newValue }

    /// Hands `command` to the loop thread; after shutdown it is answered at once with `.closed`.
    func submit(_ command: LoopCommand) {
        let accepted = inbox.withLock { inbox in
            if !inbox.stopped { inbox.commands.append(command) }
            return !inbox.stopped
        }
        guard accepted else { return command.reject() }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    func takeCommands() -> [LoopCommand] {
        var drained: UInt64 = 0
        _ = read(wakeFD, &drained, 8)
        return inbox.withLock { inbox in
            defer { inbox.commands = [] }
            return inbox.commands
        }
    }

    /// The loop thread is ending, having closed `sessions`: later commands are rejected, pending
    /// ones answered now, and whoever waits for the end is told.
    func finished(closing sessions: Int) {
        let pending = inbox.withLock { inbox in
            inbox.stopped = true
            defer { inbox.commands = [] }
            return inbox.commands
        }
        for command in pending { command.reject() }
        close(epollFD)
        close(wakeFD)
        let waiters = ending.withLock { state in
            state.closed = sessions
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: sessions) }
    }
}

/// What callers ask of the loop thread.
enum LoopCommand: Sendable {
    case open(id: Int, SSHSessionConfiguration)
    case exec(
        id: Int, number: Int, command: String, timeout: Duration, outputLimit: Int,
        CheckedContinuation<SSHExecResult, any Error>)
    case cancel(id: Int, number: Int)
    case connect(id: Int, timeout: Duration, CheckedContinuation<String, any Error>)
    case close(id: Int, CheckedContinuation<Void, Never>?)
    case count(CheckedContinuation<Int, Never>)
    case shutdown

    /// Answers the command without running it: the loop has stopped.
    func reject() {
        switch self {
        case .exec(_, _, _, _, _, let continuation): continuation.resume(throwing: SSHError.closed)
        case .connect(_, _, let continuation): continuation.resume(throwing: SSHError.closed)
        case .close(_, let continuation): continuation?.resume()
        case .count(let continuation): continuation.resume(returning: 0)
        case .open, .cancel, .shutdown: break
        }
    }
}
