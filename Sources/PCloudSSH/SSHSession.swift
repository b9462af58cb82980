/// One persistent ssh session to a guest, driven by an `SSHEventLoop`. It connects on first use,
/// reconnects with backoff after failures, and runs each command on its own channel.
public final class SSHSession: Sendable {
    public let host: String
    public let port: Int
    public let user: String
    private let id: Int
    private let loop: SSHEventLoop

    /// `pinnedHostKey` (`ssh-ed25519 BASE64`) is the only key accepted; nil accepts the first key
    /// presented and pins it for the session's life (`connect()` returns it, so it can be stored).
    /// `onConnectionLost` is called when an established connection breaks between or during
    /// commands (the guest closed or reset it, a keepalive failed), so an idle session's loss is
    /// known at once rather than at the next command. It runs on the loop thread: hand off, never
    /// wait there. Closing the session yourself does not call it.
    public init(
        host: String, port: Int = 22, user: String = "root", identity: SSHIdentity,
        pinnedHostKey: String? = nil, options: SSHSessionOptions = SSHSessionOptions(),
        loop: SSHEventLoop = .shared, onConnectionLost: (@Sendable (SSHError) -> Void)? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.loop = loop
        id = loop.nextSessionID()
        loop.submit(
            .open(
                id: id,
                SSHSessionConfiguration(
                    host: host, port: port, user: user, identity: identity, pinnedHostKey: pinnedHostKey,
                    options: options, onLost: onConnectionLost)))
    }

    deinit { loop.submit(.close(id: id, nil)) }

    /// Connects (if not yet connected) and returns the host key the guest presented.
    public func connect(timeout: Duration = .seconds(10)) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            loop.submit(.connect(id: id, timeout: timeout, continuation))
        }
    }

    /// Runs `command` (a shell command line: quote arguments with `ShellQuote`) on a new channel.
    /// Throws `SSHError.timeout` when it has not finished within `timeout`, `SSHError.cancelled`
    /// when the calling task is cancelled; output beyond `outputLimit` bytes per stream is dropped.
    public func exec(
        _ command: String, timeout: Duration = .seconds(5), outputLimit: Int = 64 * 1024
    )
        async throws -> SSHExecResult
    {
        let number = loop.nextSessionID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                loop.submit(
                    .exec(
                        id: id, number: number, command: command, timeout: timeout, outputLimit: outputLimit,
                        continuation))
            }
        } onCancel: {
            loop.submit(.cancel(id: id, number: number))
        }
    }

    /// Closes the connection; commands still running fail with `SSHError.closed`.
    public func close() async {
        await withCheckedContinuation { continuation in loop.submit(.close(id: id, continuation)) }
    }
}

extension SSHEventLoop {
    /// How many sessions this loop drives now.
    public func sessionCount() async -> Int {
        await withCheckedContinuation { continuation in submit(.count(continuation)) }
    }
}
