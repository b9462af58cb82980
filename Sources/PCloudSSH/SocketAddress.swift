import Glibc

/// An IPv4 or IPv6 address to connect to. IP literals are parsed directly; names go through
/// getaddrinfo (on the event-loop thread: guests are normally given by address).
struct SocketAddress {
    private var storage = sockaddr_storage()
    private var length: socklen_t = 0
    private(set) var family: Int32 = AF_INET

    static func resolve(host: String, port: Int) throws(SSHError) -> SocketAddress {
        var address = SocketAddress()
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = UInt16(port).bigEndian
            address.store(v4, family: AF_INET)
            return address
        }
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = UInt16(port).bigEndian
            address.store(v6, family: AF_INET6)
            return address
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result, let addr = first.pointee.ai_addr else {
            throw .connectFailed(host: host, port: port, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(result) }
        address.family = first.pointee.ai_family
        address.length = first.pointee.ai_addrlen
        withUnsafeMutableBytes(of: &address.storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: addr, count: Int(first.pointee.ai_addrlen)))
        }
        return address
    }

    private mutating func store<T>(_ value: T, family: Int32) {
        self.family = family
        length = socklen_t(MemoryLayout<T>.size)
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: value) { target.copyMemory(from: $0) }
        }
    }

    func connect(_ fd: Int32) -> Int32 {
        var copy = storage
        return withUnsafePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
