import AsyncHTTPClient
import Foundation
import PCloudTestSupport
import Testing

/// TCP peers that connect and then send nothing, or half a request head, never lock the API out:
/// connections beyond `max-connections` are closed at once, idle ones after `idle-timeout`, and the
/// unix socket keeps answering whatever TCP peers do.
struct TCPConnectionLimitTests {
    final class World {
        let token = UUID().uuidString + UUID().uuidString
        let tokenFile: URL
        let port = freeLoopbackPort()
        let cped: ControllerProcess

        init(limit: Int, idleTimeout: String, fileLimit: (soft: Int, hard: Int)? = nil) throws {
            raiseOwnFileLimit()
            tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
            try token.write(to: tokenFile, atomically: true, encoding: .utf8)
            cped = try ControllerProcess(
                extraArguments: [
                    "--tcp", "127.0.0.1:\(port)", "--token-file", tokenFile.path, "--tcp-max-connections", "\(limit)",
                    "--tcp-idle-timeout", idleTimeout,
                ], fileLimit: fileLimit)
            guard waitUntil(timeout: 30, { portIsOpen("127.0.0.1", UInt16(port)) }) else {
                throw ControllerError("cped's TCP port did not open: \(cped.log.suffix(2000))")
            }
        }

        deinit {
            cped.stop()
            try? FileManager.default.removeItem(at: tokenFile)
        }

        /// `count` connections; every other one sends half a request head, the rest nothing.
        func openIdlePeers(_ count: Int) -> [RawTCPConnection] {
            (0..<count).compactMap { index in
                let connection = RawTCPConnection(port: port)
                if index % 2 == 1 { connection?.send("GET /v1/deployables HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthoriz") }
                return connection
            }
        }

        /// An authenticated request over TCP, tried again (for at most 30 s) while cped is still
        /// closing connections it has been told are gone.
        func authenticatedHealth() async -> UInt? {
            let api = APIClient(base: "http://127.0.0.1:\(port)", token: token)
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if let answer = try? await api.call(.GET, "/v1/health") { return answer.status }
                try? await Task.sleep(for: .milliseconds(100))
            }
            return nil
        }
    }

    @Test func tcpPeersBeyondTheLimitAreClosedAtOnceAndTheUnixSocketStillAnswers() async throws {
        // cped may hold 220 descriptors (150 before it raises its soft limit): without a limit on TCP
        // connections, 300 silent peers use them all up and the unix socket stops accepting.
        let world = try World(limit: 64, idleTimeout: "10m", fileLimit: (soft: 150, hard: 220))
        #expect(world.cped.log.contains("open files limit: raised from 150 to the hard limit 220"), "\(world.cped.log.suffix(2000))")
        let peers = world.openIdlePeers(300)
        #expect(peers.count == 300, "cped stopped accepting TCP connections")
        let closed = RawTCPConnection.awaitClosed(peers, atLeast: 300 - 64, within: 60)
        #expect(closed == 300 - 64, "connections beyond the limit of 64 are closed at once")
        let health = try await APIClient.unix(world.cped.socketPath).call(.GET, "/v1/health")
        #expect(health.status == 200)
        let list = try await APIClient.unix(world.cped.socketPath).call(.GET, "/v1/deployables")
        #expect(list.status == 200)
        // The 64 admitted ones stay until their idle timeout (10 minutes here); once they are gone,
        // an authenticated client gets in.
        #expect(peers.filter { !$0.isClosedNow }.count == 64)
        #expect(world.cped.log.contains("64 connections are open (tcp.max-connections)"))
        for peer in peers { shutdown(peer.fd, Int32(SHUT_RDWR)) }
        #expect(await world.authenticatedHealth() == 200, "\(world.cped.log.suffix(2000))")
        #expect(try await APIClient.unix(world.cped.socketPath).call(.GET, "/v1/health").status == 200)
        #expect(!world.cped.log.contains(world.token), "the token must never be logged")
    }

    @Test func idleTCPConnectionsAreClosedAfterTheIdleTimeout() async throws {
        let world = try World(limit: 256, idleTimeout: "1s")
        let silent = try #require(RawTCPConnection(port: world.port))
        let halfHead = try #require(RawTCPConnection(port: world.port))
        halfHead.send("POST /v1/deployables HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
        let keptAlive = try #require(RawTCPConnection(port: world.port))
        keptAlive.send("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(world.token)\r\n\r\n")
        let peers = [silent, halfHead, keptAlive]
        #expect(RawTCPConnection.awaitClosed(peers, atLeast: 3, within: 60) == 3, "cped kept idle connections open")
        // The kept-alive one was answered before it went idle.
        #expect(String(decoding: keptAlive.received, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        #expect(String(decoding: silent.received + halfHead.received, as: UTF8.self).isEmpty)
        #expect(await world.authenticatedHealth() == 200)
    }

    @Test func tcpLimitsAreReadFromTheSettingsFileAndCheckedThere() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cped-tcp-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token")
        try (UUID().uuidString + UUID().uuidString).write(to: tokenFile, atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("cped.yaml")
        try "tcp: {port: 1, token-file: \(tokenFile.path), idle-timeout: 1e300, max-connections: 64}\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let tooLong = try runCommand(
            BuiltProducts.path("cped"), ["--config", config.path, "--socket", directory.appendingPathComponent("s").path])
        #expect(tooLong.status != 0)
        #expect(tooLong.output.contains("cped.yaml:1:1: tcp.idle-timeout: '1e300' is too long"), "\(tooLong.output)")
        try "tcp: {port: 1, token-file: \(tokenFile.path), max-connections: 0}\n".write(
            to: config, atomically: true, encoding: .utf8)
        let none = try runCommand(
            BuiltProducts.path("cped"), ["--config", config.path, "--socket", directory.appendingPathComponent("s").path])
        #expect(none.status != 0)
        #expect(none.output.contains("tcp.max-connections: expected a number of connections from 1 to 65536, got '0'"), "\(none.output)")
        let flag = try runCommand(
            BuiltProducts.path("cped"),
            ["--config", directory.appendingPathComponent("none.yaml").path, "--tcp-max-connections", "10"])
        #expect(flag.status != 0)
        #expect(flag.output.contains("--tcp-max-connections need a TCP listener"), "\(flag.output)")
    }
}
