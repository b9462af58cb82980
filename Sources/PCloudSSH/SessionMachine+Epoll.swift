import CLibssh2
import Glibc

extension SessionMachine {
    /// Registers the socket with epoll for what the session now waits on: writability while
    /// connecting or when libssh2 is blocked sending, readability while any work is pending, and
    /// only hang-ups while idle (unread keepalive replies must not wake the loop).
    func syncInterest() {
        guard let handle else { return }
        var events = UInt32(0)
        switch state {
        case .connecting: events = EPOLLOUT.rawValue
        case .handshaking, .authenticating: events = EPOLLIN.rawValue | (handle.outboundBlocked ? EPOLLOUT.rawValue : 0)
        case .ready:
            events = EPOLLRDHUP.rawValue
            if !operations.isEmpty || !abandoned.isEmpty {
                events |= EPOLLIN.rawValue | (handle.outboundBlocked ? EPOLLOUT.rawValue : 0)
            }
        default: return
        }
        let owner = ObjectIdentifier(handle)
        if let registered, registered.handle == owner, registered.events == events { return }
        var event = epoll_event()
        event.events = events
        event.data.u64 = UInt64(id)
        let operation = registered?.handle == owner ? EPOLL_CTL_MOD : EPOLL_CTL_ADD
        epoll_ctl(epollFD, operation, handle.fd, &event)
        registered = (owner, events)
    }

    func dump() -> String {
        "ssh[\(id)] \(state) ops=\(operations.map { "\($0.phase)" }) abandoned=\(abandoned.count) opener=\(opener != nil) writeOwner=\(String(describing: writeOwner)) registered=\(registered?.events ?? 0) outbound=\(handle?.outboundBlocked ?? false)"
    }
}
