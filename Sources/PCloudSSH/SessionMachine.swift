import CLibssh2
import Glibc

/// The event loop's view of one persistent session: connection state, reconnect backoff,
/// queued and running commands, timers and the socket's epoll registration. Loop thread only.
final class SessionMachine {
    enum State {
        case idle, connecting, handshaking, authenticating, ready
        case backoff(until: ContinuousClock.Instant, error: SSHError)
    }

    enum WriteOwner: Equatable {
        case operation(ObjectIdentifier)
        case channel(SSHSessionHandle.ChannelID)
    }

    let id: Int
    let configuration: SSHSessionConfiguration
    let epollFD: Int32
    private(set) var state: State = .idle {
        didSet { if sshTrace { traceLine("ssh[\(id)] \(oldValue) -> \(state)\n") } }
    }
    var handle: SSHSessionHandle?
    private var pinned: HostKey?
    private var failures = 0
    private var connectDeadline: ContinuousClock.Instant?
    var operations: [SessionOperation] = []
    var abandoned: [(channel: SSHSessionHandle.ChannelID, deadline: ContinuousClock.Instant)] = []
    var opener: ObjectIdentifier?
    var writeOwner: WriteOwner?
    private var nextKeepalive: ContinuousClock.Instant?
    var registered: (handle: ObjectIdentifier, events: UInt32)?

    init(id: Int, configuration: SSHSessionConfiguration, epollFD: Int32) {
        self.id = id
        self.configuration = configuration
        self.epollFD = epollFD
        pinned = configuration.pinnedHostKey.flatMap(HostKey.init)
    }

    private var isReady: Bool { if case .ready = state { return true } else { return false } }
    private var endpoint: String { "\(configuration.host):\(configuration.port)" }

    func enqueue(_ operation: SessionOperation, buffer: UnsafeMutableRawBufferPointer) {
        operations.append(operation)
        if isReady, let key = pinned { operation.sessionReady(hostKey: key.description) }
        pump(buffer: buffer)
    }

    /// Advances the connection and every operation as far as the socket allows.
    func pump(buffer: UnsafeMutableRawBufferPointer) {
        let now = ContinuousClock.now
        operations.removeAll { $0.isFinished }
        switch state {
        case .idle where !operations.isEmpty: startConnect(now)
        case .backoff(let until, let error) where !operations.isEmpty:
            if now >= until { startConnect(now) } else { failAll(error) }
        default: break
        }
        advanceConnection(now)
        if isReady { pumpOperations(buffer) }
        syncInterest()
    }

    /// epoll reported `events` on this session's socket.
    func handle(events: UInt32, buffer: UnsafeMutableRawBufferPointer) {
        pump(buffer: buffer)
        let hangup = events & (EPOLLERR.rawValue | EPOLLHUP.rawValue | EPOLLRDHUP.rawValue) != 0
        if hangup && handle != nil {
            let error = SSHError.disconnected("connection closed by \(endpoint)")
            if isReady { sessionLost(error) } else { connectionFailed(error, ContinuousClock.now) }
            pump(buffer: buffer)
        }
    }

    /// Timeouts, keepalives and backoff expiry; answers when this session next needs a sweep.
    func sweep(buffer: UnsafeMutableRawBufferPointer) -> ContinuousClock.Instant? {
        let now = ContinuousClock.now
        if let deadline = connectDeadline, !isReady, handle != nil, now >= deadline {
            connectionFailed(.timeout("connecting to \(endpoint) took longer than \(configuration.options.connectTimeout)"), now)
        }
        for operation in operations where !operation.isFinished && now >= operation.deadline {
            abandon(operation, .timeout(operation.timeoutDescription), now)
        }
        if abandoned.contains(where: { now >= $0.deadline }) {
            sessionLost(.timeout("a timed-out command's channel on \(endpoint) did not close"))
        }
        if isReady, let due = nextKeepalive, now >= due, writeOwner == nil, let handle {
            switch handle.sendKeepalive() {
            case .done(let seconds): nextKeepalive = now + .seconds(max(1, seconds))
            case .again: nextKeepalive = now + .seconds(1)
            case .failed(let error): sessionLost(error)
            }
        }
        pump(buffer: buffer)
        return nextDeadline()
    }

    /// The caller gave up on operation `number` (its task was cancelled).
    func cancel(_ number: Int, buffer: UnsafeMutableRawBufferPointer) {
        guard let operation = operations.first(where: { $0.number == number && !$0.isFinished }) else { return }
        abandon(operation, .cancelled, .now)
        pump(buffer: buffer)
    }

    /// Fails `operation` now; its channel is closed in the background (or, when it was mid-open
    /// or mid-send, the session is dropped, since libssh2 cannot leave that half done).
    private func abandon(_ operation: SessionOperation, _ error: SSHError, _ now: ContinuousClock.Instant) {
        let id = ObjectIdentifier(operation)
        let channel = operation.channel
        operation.fail(error)
        if opener == id || writeOwner == .operation(id) {
            sessionLost(.timeout("session to \(endpoint) stuck mid-request"))
        } else if let channel {
            abandoned.append((channel, now + configuration.options.abandonedChannelGrace))
        }
    }

    /// Ends every operation and drops the connection: the owner closed the session.
    func close() {
        failAll(.closed)
        dropHandle()
    }

    func nextDeadline() -> ContinuousClock.Instant? {
        var deadlines = operations.filter { !$0.isFinished }.map(\.deadline) + abandoned.map(\.deadline)
        if let connectDeadline, !isReady, handle != nil { deadlines.append(connectDeadline) }
        if isReady, let nextKeepalive { deadlines.append(nextKeepalive) }
        return deadlines.min()
    }

    // MARK: connection

    private func startConnect(_ now: ContinuousClock.Instant) {
        do {
            handle = try SSHSessionHandle(host: configuration.host, port: configuration.port)
            state = .connecting
            connectDeadline = now + configuration.options.connectTimeout
        } catch {
            connectionFailed(error, now)
        }
    }

    private func advanceConnection(_ now: ContinuousClock.Instant) {
        while let handle {
            switch state {
            case .connecting:
                switch handle.connectResult() {
                case .again: return
                case .failed(let error): return connectionFailed(error, now)
                case .done: state = .handshaking
                }
            case .handshaking:
                switch handle.handshake() {
                case .again: return
                case .failed(let error): return connectionFailed(error, now)
                case .done:
                    guard let presented = handle.hostKey() else {
                        return connectionFailed(.handshakeFailed("no host key presented"), now)
                    }
                    if let pinned, pinned != presented {
                        return connectionFailed(
                            .hostKeyMismatch(expected: pinned.description, presented: presented.description), now)
                    }
                    pinned = presented
                    state = .authenticating
                }
            case .authenticating:
                switch handle.authenticate(user: configuration.user, identity: configuration.identity) {
                case .again: return
                case .failed(let error): return connectionFailed(error, now)
                case .done:
                    state = .ready
                    failures = 0
                    handle.configureKeepalive(interval: configuration.options.keepaliveInterval)
                    let interval = configuration.options.keepaliveInterval
                    nextKeepalive = interval > 0 ? now + .seconds(interval) : nil
                    let key = pinned?.description ?? ""
                    for operation in operations { operation.sessionReady(hostKey: key) }
                    operations.removeAll { $0.isFinished }
                    return
                }
            default:
                return
            }
        }
    }

    /// A connection attempt failed: back off, and fail what waits (callers see the reason now).
    private func connectionFailed(_ error: SSHError, _ now: ContinuousClock.Instant) {
        dropHandle()
        failures += 1
        let options = configuration.options
        let factor = 1 << min(failures - 1, 20)
        state = .backoff(until: now + min(options.initialBackoff * factor, options.maximumBackoff), error: error)
        failAll(error)
    }

    /// An established session broke: running commands fail, queued ones wait for the
    /// reconnect, which is tried at once (backoff starts if that fails).
    private func sessionLost(_ error: SSHError) {
        for operation in operations where !operation.isQueued { operation.fail(error) }
        operations.removeAll { $0.isFinished }
        dropHandle()
        state = .idle
        configuration.onLost?(error)
    }

    private func failAll(_ error: SSHError) {
        for operation in operations { operation.fail(error) }
        operations = []
    }

    private func dropHandle() {
        if registered != nil, let handle {
            var event = epoll_event()
            epoll_ctl(epollFD, EPOLL_CTL_DEL, handle.fd, &event)
        }
        registered = nil
        handle?.teardown()
        handle = nil
        abandoned = []
        opener = nil
        writeOwner = nil
        nextKeepalive = nil
        connectDeadline = nil
    }

    // MARK: operations

    private func pumpOperations(_ buffer: UnsafeMutableRawBufferPointer) {
        var moved = true
        while moved, let handle {
            moved = false
            if let owner = writeOwner {
                stepOwner(owner, handle, buffer)
                guard handle === self.handle, !handle.outboundBlocked else { return }
                writeOwner = nil
                moved = true
            }
            for operation in operations where !operation.isFinished {
                let id = ObjectIdentifier(operation)
                let before = operation.progress
                let wasOpener = opener == id
                let step = operation.step(handle, mayOpen: opener == nil, buffer: buffer)
                if operation.isOpening { opener = id } else if wasOpener { opener = nil }
                switch step {
                case .sessionFailed(let error):
                    return sessionLost(error)
                case .finished:
                    moved = true
                case .blocked:
                    if operation.progress != before { moved = true }
                    if handle.outboundBlocked {
                        writeOwner = .operation(id)
                        return
                    }
                }
            }
            operations.removeAll { $0.isFinished }
            var index = 0
            while index < abandoned.count {
                switch handle.free(abandoned[index].channel) {
                case .again:
                    if handle.outboundBlocked {
                        writeOwner = .channel(abandoned[index].channel)
                        return
                    }
                    index += 1
                default:
                    abandoned.remove(at: index)
                    moved = true
                }
            }
        }
    }

    private func stepOwner(_ owner: WriteOwner, _ handle: SSHSessionHandle, _ buffer: UnsafeMutableRawBufferPointer) {
        switch owner {
        case .operation(let id):
            guard let operation = operations.first(where: { ObjectIdentifier($0) == id }) else { return }
            if case .sessionFailed(let error) = operation.step(handle, mayOpen: false, buffer: buffer) {
                sessionLost(error)
            }
        case .channel(let channel):
            if case .done = handle.free(channel) { abandoned.removeAll { $0.channel == channel } }
        }
    }

}
