/// One request queued on a session: run a command on its own channel, or just wait until the
/// session is connected. A state machine stepped by the event loop; it finishes exactly once.
final class SessionOperation {
    enum Kind {
        case exec(command: String, outputLimit: Int)
        case connect
    }

    enum Phase {
        case queued, opening
        case starting(SSHSessionHandle.ChannelID)
        case reading(SSHSessionHandle.ChannelID)
        case closing(SSHSessionHandle.ChannelID)
        case waitingClosed(SSHSessionHandle.ChannelID)
        case freeing(SSHSessionHandle.ChannelID, SSHExecResult)
        case finished
    }

    enum Step {
        /// Waiting for the socket (or for its turn to open a channel).
        case blocked
        case finished
        /// The session itself failed: every operation on it must be failed or retried.
        case sessionFailed(SSHError)
    }

    let kind: Kind
    /// Names the operation for cancellation.
    let number: Int
    let deadline: ContinuousClock.Instant
    /// What timed out, for the error: "`uptime` did not finish within 5 seconds".
    let timeoutDescription: String
    private(set) var phase: Phase = .queued {
        didSet { progress &+= 1 }
    }
    /// Grows whenever the operation moves on (phase change or bytes read): the event loop
    /// pumps a session again while any of its operations still moves.
    private(set) var progress = 0
    private var completion: Completion?
    private var stdout: OutputCapture
    private var stderr: OutputCapture

    enum Completion {
        case exec(CheckedContinuation<SSHExecResult, any Error>)
        case connect(CheckedContinuation<String, any Error>)
    }

    init(kind: Kind, number: Int, timeout: Duration, completion: Completion) {
        self.kind = kind
        self.number = number
        self.deadline = .now + timeout
        switch kind {
        case .exec(let command, _): timeoutDescription = "`\(command.prefix(200))` did not finish within \(timeout)"
        case .connect: timeoutDescription = "no session within \(timeout)"
        }
        self.completion = completion
        let limit: Int
        if case .exec(_, let outputLimit) = kind { limit = outputLimit } else { limit = 0 }
        stdout = OutputCapture(limit: limit)
        stderr = OutputCapture(limit: limit)
    }

    var isFinished: Bool { if case .finished = phase { return true } else { return false } }
    var isOpening: Bool { if case .opening = phase { return true } else { return false } }
    var isQueued: Bool { if case .queued = phase { return true } else { return false } }

    /// The channel this operation holds, if any (to free it when the operation is abandoned).
    var channel: SSHSessionHandle.ChannelID? {
        switch phase {
        case .starting(let c), .reading(let c), .closing(let c), .waitingClosed(let c), .freeing(let c, _): return c
        default: return nil
        }
    }

    /// Called once the session is connected: a connect request completes here.
    func sessionReady(hostKey: String) {
        if case .connect = kind { succeedConnect(hostKey) }
    }

    /// Advances as far as the socket allows. `mayOpen` says whether this operation may start
    /// opening a channel now (libssh2 opens one channel per session at a time).
    func step(_ handle: SSHSessionHandle, mayOpen: Bool, buffer: UnsafeMutableRawBufferPointer) -> Step {
        guard case .exec(let command, _) = kind else { return .blocked }
        while true {
            switch phase {
            case .queued:
                guard mayOpen else { return .blocked }
                phase = .opening
            case .opening:
                switch handle.openChannel() {
                case .again: return .blocked
                case .failed(let error): return fail(error, handle: handle)
                case .done(let channel): phase = .starting(channel)
                }
            case .starting(let channel):
                switch handle.exec(channel, command: command) {
                case .again: return .blocked
                case .failed(let error): return fail(error, handle: handle)
                case .done: phase = .reading(channel)
                }
            case .reading(let channel):
                var complete = false
                while true {
                    let eof = handle.atEOF(channel)
                    let (outCount, outError) = drain(handle, channel, stream: 0, into: &stdout, buffer)
                    let (errCount, errError) = drain(handle, channel, stream: 1, into: &stderr, buffer)
                    if let error = outError ?? errError { return fail(error, handle: handle) }
                    if outCount + errCount > 0 {
                        progress &+= 1
                        continue
                    }
                    complete = eof
                    if eof || !handle.atEOF(channel) { break }
                }
                guard complete else { return .blocked }
                phase = .closing(channel)
            case .closing(let channel):
                switch handle.close(channel) {
                case .again: return .blocked
                case .failed(let error): return fail(error, handle: handle)
                case .done: phase = .waitingClosed(channel)
                }
            case .waitingClosed(let channel):
                switch handle.waitClosed(channel) {
                case .again: return .blocked
                case .failed(let error): return fail(error, handle: handle)
                case .done:
                    let (status, signal) = handle.exitStatus(channel)
                    phase = .freeing(channel, result(status: status, signal: signal))
                }
            case .freeing(let channel, let result):
                switch handle.free(channel) {
                case .again: return .blocked
                case .failed(let error): return fail(error, handle: handle)
                case .done:
                    phase = .finished
                    succeedExec(result)
                    return .finished
                }
            case .finished:
                return .finished
            }
        }
    }

    /// Ends the operation with `error` (timeout, session lost). Its channel, if any, is left to
    /// the caller to free.
    func fail(_ error: SSHError) {
        phase = .finished
        switch completion {
        case .exec(let continuation): continuation.resume(throwing: error)
        case .connect(let continuation): continuation.resume(throwing: error)
        case nil: break
        }
        completion = nil
    }

    private func fail(_ error: SSHError, handle: SSHSessionHandle) -> Step {
        if SSHSessionHandle.isSessionFatal(error) { return .sessionFailed(error) }
        let channel = self.channel
        fail(error)
        if let channel { _ = handle.free(channel) }
        return .finished
    }

    private func succeedExec(_ result: SSHExecResult) {
        if case .exec(let continuation) = completion { continuation.resume(returning: result) }
        completion = nil
    }

    private func succeedConnect(_ hostKey: String) {
        phase = .finished
        if case .connect(let continuation) = completion { continuation.resume(returning: hostKey) }
        completion = nil
    }

    private func result(status: Int32, signal: String?) -> SSHExecResult {
        SSHExecResult(
            exitStatus: status, exitSignal: signal, stdout: stdout.text, stderr: stderr.text,
            stdoutTruncated: stdout.truncated, stderrTruncated: stderr.truncated)
    }

    /// Reads a stream until it would block or ends: the bytes read, and the error that stopped it.
    private func drain(
        _ handle: SSHSessionHandle, _ channel: SSHSessionHandle.ChannelID, stream: Int32,
        into capture: inout OutputCapture, _ buffer: UnsafeMutableRawBufferPointer
    ) -> (Int, SSHError?) {
        var total = 0
        while true {
            switch handle.read(channel, stream: stream, into: buffer) {
            case .again: return (total, nil)
            case .failed(let error): return (total, error)
            case .done(0): return (total, nil)
            case .done(let count):
                total += count
                capture.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
        }
    }
}

/// A command's stdout or stderr, kept up to `limit` bytes; the rest is read and dropped.
struct OutputCapture {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var truncated = false

    init(limit: Int) { self.limit = limit }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        let room = max(0, limit - bytes.count)
        if chunk.count > room { truncated = true }
        bytes.append(contentsOf: chunk.prefix(room))
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}
