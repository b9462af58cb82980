import CLibssh2
import Glibc

/// Owns one libssh2 session, its TCP socket and its channels. Used only on the event-loop
/// thread; every call is non-blocking and answers `.again` when the socket would block.
/// No libssh2 pointer leaves this type: channels are named by `ChannelID`.
final class SSHSessionHandle {
    struct ChannelID: Hashable { let raw: Int }

    let fd: Int32
    private var session: OpaquePointer?
    private var channels: [ChannelID: OpaquePointer] = [:]
    private var nextChannel = 0
    private let host: String
    private let port: Int

    /// Creates the socket, starts a non-blocking connect and a non-blocking libssh2 session.
    init(host: String, port: Int) throws(SSHError) {
        try LibSSH2.ensureInitialised()
        self.host = host
        self.port = port
        let address = try SocketAddress.resolve(host: host, port: port)
        let fd = socket(
            address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .connectFailed(host: host, port: port, reason: SocketAddress.errnoText()) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = address.connect(fd)
        if rc != 0 && errno != EINPROGRESS {
            let reason = SocketAddress.errnoText()
            Glibc.close(fd)
            throw .connectFailed(host: host, port: port, reason: reason)
        }
        guard let session = libssh2_session_init_ex(nil, nil, nil, nil) else {
            Glibc.close(fd)
            throw .library(code: -1, message: "libssh2_session_init_ex failed")
        }
        self.fd = fd
        self.session = session
        libssh2_session_set_blocking(session, 0)
        // Prefer ed25519 host keys, so the presented key matches what guests pin.
        _ = libssh2_session_method_pref(
            session, LIBSSH2_METHOD_HOSTKEY,
            "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256,ssh-rsa")
    }

    deinit { teardown() }

    /// The TCP connect finished (the socket became writable): success or the connect error.
    func connectResult() -> Progress<Void> {
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&poller, 1, 0) == 1 else { return .again }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        if error == EINPROGRESS || error == EALREADY { return .again }
        if error != 0 {
            return .failed(.connectFailed(host: host, port: port, reason: String(cString: strerror(error))))
        }
        return .done(())
    }

    func handshake() -> Progress<Void> {
        guard let session else { return .failed(.closed) }
        return step(libssh2_session_handshake(session, fd)) { .handshakeFailed($0.message) }
    }

    /// The host key the server presented in the handshake.
    func hostKey() -> HostKey? {
        guard let session else { return nil }
        var length = 0
        var type: Int32 = 0
        guard let raw = libssh2_session_hostkey(session, &length, &type), length > 0 else { return nil }
        let blob = raw.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
        return HostKey(blob: blob)
    }

    func authenticate(user: String, identity: SSHIdentity) -> Progress<Void> {
        guard let session else { return .failed(.closed) }
        let rc = libssh2_userauth_publickey_fromfile_ex(
            session, user, UInt32(user.utf8.count), identity.publicKeyPath, identity.privateKeyPath, nil)
        return step(rc) { .authenticationFailed(user: user, keyFile: identity.privateKeyPath, reason: $0.message) }
    }

    func configureKeepalive(interval: Int) {
        guard let session, interval > 0 else { return }
        libssh2_keepalive_config(session, 1, UInt32(interval))
    }

    /// Sends a keepalive if one is due; answers the seconds until the next one.
    func sendKeepalive() -> Progress<Int> {
        guard let session else { return .failed(.closed) }
        var next: Int32 = 0
        let rc = libssh2_keepalive_send(session, &next)
        if rc == LIBSSH2_ERROR_EAGAIN { return .again }
        if rc != 0 { return .failed(classify(rc)) }
        return .done(Int(next))
    }

    var outboundBlocked: Bool {
        guard let session else { return false }
        return libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0
    }

    // MARK: channels

    func openChannel() -> Progress<ChannelID> {
        guard let session else { return .failed(.closed) }
        guard let channel = libssh2_channel_open_ex(session, "session", 7, 2 * 1024 * 1024, 32768, nil, 0) else {
            let rc = libssh2_session_last_errno(session)
            return rc == LIBSSH2_ERROR_EAGAIN ? .again : .failed(classify(rc))
        }
        nextChannel += 1
        let id = ChannelID(raw: nextChannel)
        channels[id] = channel
        return .done(id)
    }

    func exec(_ channel: ChannelID, command: String) -> Progress<Void> {
        guard let pointer = channels[channel] else { return .failed(.closed) }
        let rc = libssh2_channel_process_startup(pointer, "exec", 4, command, UInt32(command.utf8.count))
        return step(rc) { self.classify($0.code, $0.message) }
    }

    /// Reads what is there from stdout (stream 0) or stderr (stream 1): bytes read, 0 at the end.
    func read(_ channel: ChannelID, stream: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Progress<Int> {
        guard let pointer = channels[channel] else { return .failed(.closed) }
        let n = libssh2_channel_read_ex(pointer, stream, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), buffer.count)
        if n == Int(LIBSSH2_ERROR_EAGAIN) { return .again }
        if n < 0 { return .failed(classify(Int32(n))) }
        return .done(n)
    }

    func atEOF(_ channel: ChannelID) -> Bool {
        guard let pointer = channels[channel] else { return true }
        return libssh2_channel_eof(pointer) == 1
    }

    func close(_ channel: ChannelID) -> Progress<Void> {
        guard let pointer = channels[channel] else { return .failed(.closed) }
        return step(libssh2_channel_close(pointer)) { self.classify($0.code, $0.message) }
    }

    func waitClosed(_ channel: ChannelID) -> Progress<Void> {
        guard let pointer = channels[channel] else { return .failed(.closed) }
        return step(libssh2_channel_wait_closed(pointer)) { self.classify($0.code, $0.message) }
    }

    /// The exit status and, when the command died of a signal, the signal's name.
    func exitStatus(_ channel: ChannelID) -> (status: Int32, signal: String?) {
        guard let pointer = channels[channel], let session else { return (-1, nil) }
        let status = libssh2_channel_get_exit_status(pointer)
        var name: UnsafeMutablePointer<CChar>?
        var nameLength = 0
        libssh2_channel_get_exit_signal(pointer, &name, &nameLength, nil, nil, nil, nil)
        var signal: String?
        if let name {
            signal = String(cString: name)
            libssh2_free(session, name)
        }
        return (status, signal)
    }

    /// Frees the channel (sending close first when still open); `.again` until done.
    func free(_ channel: ChannelID) -> Progress<Void> {
        guard let pointer = channels[channel] else { return .done(()) }
        let rc = libssh2_channel_free(pointer)
        if rc == LIBSSH2_ERROR_EAGAIN { return .again }
        channels[channel] = nil
        return .done(())
    }

    // MARK: errors and teardown

    func lastError() -> (code: Int32, message: String) {
        guard let session else { return (0, "session closed") }
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let code = libssh2_session_last_error(session, &message, &length, 0)
        return (code, message.map { String(cString: $0) } ?? "")
    }

    /// Socket-level failures end the session; channel-level ones end only their command.
    func classify(_ code: Int32, _ message: String? = nil) -> SSHError {
        let text = message ?? lastError().message
        switch code {
        case LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT,
            LIBSSH2_ERROR_SOCKET_TIMEOUT, LIBSSH2_ERROR_SOCKET_NONE:
            return .disconnected(text.isEmpty ? "socket closed" : text)
        default:
            return .library(code: code, message: text)
        }
    }

    static func isSessionFatal(_ error: SSHError) -> Bool {
        switch error {
        case .library(let code, _):
            let channelLevel: Set<Int32> = [
                LIBSSH2_ERROR_CHANNEL_FAILURE, LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED,
                LIBSSH2_ERROR_CHANNEL_UNKNOWN, LIBSSH2_ERROR_CHANNEL_CLOSED, LIBSSH2_ERROR_CHANNEL_EOF_SENT,
                LIBSSH2_ERROR_CHANNEL_WINDOW_EXCEEDED, LIBSSH2_ERROR_CHANNEL_PACKET_EXCEEDED,
            ]
            return !channelLevel.contains(code)
        default:
            return true
        }
    }

    private func step(_ rc: Int32, _ error: ((code: Int32, message: String)) -> SSHError) -> Progress<Void> {
        if rc == LIBSSH2_ERROR_EAGAIN { return .again }
        if rc != 0 { return .failed(error((rc, lastError().message))) }
        return .done(())
    }

    /// Disconnects (best effort, never waits), frees every channel and the session, closes the socket.
    func teardown() {
        guard let session else { return }
        _ = libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, "closing", "")
        shutdown(fd, Int32(SHUT_RDWR))
        for (_, channel) in channels {
            var tries = 0
            while libssh2_channel_free(channel) == LIBSSH2_ERROR_EAGAIN && tries < 100 { tries += 1 }
        }
        channels = [:]
        var tries = 0
        while libssh2_session_free(session) == LIBSSH2_ERROR_EAGAIN && tries < 100 { tries += 1 }
        self.session = nil
        Glibc.close(fd)
    }
}
