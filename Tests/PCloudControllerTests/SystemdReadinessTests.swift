import Foundation
import PCloudTestSupport
import Synchronization
import Testing

/// READY=1 tells systemd that cped serves: units ordered after it (and `systemctl start`'s
/// caller) then connect at once. It used to be sent before the service group had bound the API
/// socket, so such a client found no socket (ENOENT) or nobody listening.
@Suite struct SystemdReadinessTests {
    @Test func onReadyTheAPISocketAlreadyAnswers() throws {
        let directory = URL(fileURLWithPath: "/tmp/pcloud-cped-\(UUID().uuidString.prefix(8))")
        let socketPath = directory.appendingPathComponent("run/cped.sock").path
        let answer = Mutex<String?>(nil)
        let notify = try NotifySocket {
            let reply = Self.health(socketPath)
            answer.withLock { $0 = reply }
        }
        defer { notify.close() }
        let cped = try ControllerProcess(environment: ["NOTIFY_SOCKET": notify.path], directory: directory)
        defer { cped.stop() }
        #expect(waitUntil(timeout: 30) { answer.withLock { $0 } != nil }, "no READY=1: \(notify.messages)")
        let reply = answer.withLock { $0 } ?? ""
        #expect(reply.hasPrefix("HTTP/1.1 200"), "a client connecting on READY=1 got: \(reply)")
    }

    @Test func withATCPListenerReadyWaitsForBothListeners() async throws {
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try (UUID().uuidString + UUID().uuidString).write(to: tokenFile, atomically: true, encoding: .utf8)
        let port = freeLoopbackPort()
        let tcpOpen = Mutex<Bool?>(nil)
        let notify = try NotifySocket {
            let open = portIsOpen("127.0.0.1", UInt16(port))
            tcpOpen.withLock { $0 = open }
        }
        defer { notify.close() }
        let cped = try ControllerProcess(
            extraArguments: ["--tcp", "127.0.0.1:\(port)", "--token-file", tokenFile.path],
            environment: ["NOTIFY_SOCKET": notify.path])
        defer { cped.stop() }
        #expect(waitUntil(timeout: 30) { tcpOpen.withLock { $0 } != nil }, "no READY=1: \(notify.messages)")
        #expect(tcpOpen.withLock { $0 } == true, "the TCP listener was not accepting on READY=1")
    }

    @Test func sigtermAfterReadyStillExitsZeroAndSaysStopping() throws {
        let notify = try NotifySocket {}
        defer { notify.close() }
        let cped = try ControllerProcess(environment: ["NOTIFY_SOCKET": notify.path])
        #expect(waitUntil(timeout: 30) { notify.messages.contains("READY=1") }, "\(notify.messages)")
        cped.process.signal(SIGTERM)
        #expect(waitUntil(timeout: 15) { !cped.process.isRunning })
        #expect(cped.process.process.terminationStatus == 0, "\(cped.log.suffix(2000))")
        #expect(waitUntil(timeout: 5) { notify.messages.contains("STOPPING=1") }, "\(notify.messages)")
        #expect(notify.messages.filter { $0 == "READY=1" }.count == 1)
    }

    /// GET /v1/health over the unix socket, at once, without retrying: the status line or the error.
    static func health(_ socketPath: String) -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return "connect: \(String(cString: strerror(errno)))" }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET /v1/health HTTP/1.1\r\nHost: cped\r\nConnection: close\r\n\r\n".utf8)
        guard write(fd, request, request.count) == request.count else { return "write: \(String(cString: strerror(errno)))" }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { break }
            reply += buffer[0..<n]
        }
        return reply.isEmpty ? "no answer (\(String(cString: strerror(errno))))" : String(decoding: reply, as: UTF8.self)
    }
}
