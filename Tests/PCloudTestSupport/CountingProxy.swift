import Foundation
import Synchronization

/// A TCP proxy on 127.0.0.1 in front of a real server that counts the requests passing through
/// it whose request line starts with `prefix` (`GET /v2.1/servers/detail`), so a test can see how
/// often pcloud asks without mocking the server. One thread per direction per connection.
public final class CountingProxy: Sendable {
    public let port: Int
    private let listener: Int32
    private let prefix: [UInt8]
    private let counted = Mutex(0)

    public init(to targetPort: Int, counting prefix: String) throws {
        self.prefix = Array(prefix.utf8)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw HarnessError("proxy: socket() failed") }
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound, listen(listener, 64) == 0 else {
            close(listener)
            throw HarnessError("proxy: cannot listen on 127.0.0.1")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = listener
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }  // stop() closed the listener
                let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var target = Self.loopback(port: targetPort)
                let connected = withUnsafePointer(to: &target) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                    }
                }
                guard connected else {
                    close(client)
                    close(server)
                    continue
                }
                // Both descriptors are closed once both directions are done.
                let pair = DescriptorPair(client, server)
                let done: @Sendable () -> Void = { pair.oneDirectionDone() }
                Thread.detachNewThread {
                    self.copy(from: client, to: server, counting: true)
                    done()
                }
                Thread.detachNewThread {
                    self.copy(from: server, to: client, counting: false)
                    done()
                }
            }
        }
    }

    /// How many counted requests went through so far.
    public var count: Int { counted.withLock { $0 } }

    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    private func copy(from source: Int32, to destination: Int32, counting: Bool) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        // The last bytes of the previous read, so a request line split over two reads is seen.
        var tail: [UInt8] = []
        while true {
            let n = read(source, &buffer, buffer.count)
            guard n > 0 else { break }
            if counting {
                let window = tail + buffer[0..<n]
                counted.withLock { $0 += Self.occurrences(of: prefix, in: window, after: tail.count) }
                tail = Array(window.suffix(prefix.count - 1))
            }
            var sent = 0
            while sent < n {
                let m = buffer.withUnsafeBytes { write(destination, $0.baseAddress! + sent, n - sent) }
                guard m > 0 else { break }
                sent += m
            }
            guard sent == n else { break }
        }
        shutdown(destination, Int32(SHUT_WR))
        shutdown(source, Int32(SHUT_RD))
    }

    /// Occurrences of `needle` in `window` that end past its first `old` bytes (counted once).
    private static func occurrences(of needle: [UInt8], in window: [UInt8], after old: Int) -> Int {
        guard window.count >= needle.count else { return 0 }
        var found = 0
        for start in 0...(window.count - needle.count) where start + needle.count > old {
            if window[start..<start + needle.count].elementsEqual(needle) { found += 1 }
        }
        return found
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        return address
    }
}

/// Two descriptors closed when the second of the two copying directions is done with them.
private final class DescriptorPair: Sendable {
    private let descriptors: (Int32, Int32)
    private let remaining = Mutex(2)

    init(_ first: Int32, _ second: Int32) { descriptors = (first, second) }

    func oneDirectionDone() {
        let left = remaining.withLock { remaining in
            remaining -= 1
            return remaining
        }
        guard left == 0 else { return }
        close(descriptors.0)
        close(descriptors.1)
    }
}
