import Foundation

/// systemd's side of sd_notify for a test: a datagram socket a cped is given as NOTIFY_SOCKET.
/// `onReady` runs on the receiving thread the moment READY=1 arrives, before anything else the
/// test does, as systemd would start the units ordered after cped.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []

    init(onReady: @escaping @Sendable () -> Void) throws {
        path = "/tmp/pcloud-notify-\(UUID().uuidString.prefix(8)).sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0, Self.bind(fd, path) else { throw ControllerTestError("cannot bind a datagram socket at \(path)") }
        let fd = fd
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                guard n > 0 else { return }  // closed
                let message = String(decoding: buffer[0..<n], as: UTF8.self)
                lock.withLock { received.append(message) }
                if message.split(separator: "\n").contains("READY=1") { onReady() }
            }
        }
    }

    /// Every datagram received so far.
    var messages: [String] { lock.withLock { received } }

    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
        unlink(path)
    }

    private static func bind(_ fd: Int32, _ path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }
}

struct ControllerTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
