import Foundation

/// A plain TCP connection that sends what a test says and reads only to learn whether the server
/// has closed it: the half-open peers a careless or hostile local client leaves on cped's port.
final class RawTCPConnection {
    let fd: Int32
    private(set) var received = Data()
    private(set) var closedByPeer = false

    /// Connects to 127.0.0.1:`port`; nil when the connection cannot be made within 5 s.
    init?(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads what has arrived; notes a close (end of file, or a reset).
    fileprivate func drain() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !closedByPeer {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received.append(contentsOf: buffer[0..<count])
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                closedByPeer = true
            } else {
                return
            }
        }
    }

    /// Waits until at least `count` of `connections` have been closed by the server, or `limit`
    /// seconds pass (each wait is a poll() that returns as soon as one of them has news). Returns
    /// how many are closed.
    static func awaitClosed(_ connections: [RawTCPConnection], atLeast count: Int, within limit: TimeInterval) -> Int {
        let deadline = Date().addingTimeInterval(limit)
        while true {
            let open = connections.filter { !$0.closedByPeer }
            let closed = connections.count - open.count
            let remaining = deadline.timeIntervalSinceNow
            if closed >= count || open.isEmpty || remaining <= 0 { return closed }
            var fds = open.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 5) * 1000))
            guard ready > 0 else { continue }
            for (connection, entry) in zip(open, fds) where entry.revents != 0 { connection.drain() }
        }
    }

    /// Whether the server has closed this connection by now (without waiting).
    var isClosedNow: Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&entry, 1, 0) > 0 { drain() }
        return closedByPeer
    }
}

/// Raises this test process's soft limit on open files to its hard limit (tests that open hundreds
/// of connections).
func raiseOwnFileLimit() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}
