import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import PCloudTestSupport
import Testing

/// Every refusal is a JSON error that says what is wrong and never echoes request bytes that are not
/// text; a 401 says how to authenticate; a token file others can read is warned about.
struct APIErrorShapeTests {
    final class TCPController {
        let token = UUID().uuidString + UUID().uuidString
        let tokenFile: URL
        let port = freeLoopbackPort()
        let cped: ControllerProcess

        init(tokenMode: Int = 0o600) throws {
            tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
            try token.write(to: tokenFile, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: tokenMode], ofItemAtPath: tokenFile.path)
            cped = try ControllerProcess(extraArguments: ["--tcp", "127.0.0.1:\(port)", "--token-file", tokenFile.path])
            guard waitUntil(timeout: 30, { portIsOpen("127.0.0.1", UInt16(port)) }) else {
                throw ControllerError("cped's TCP port did not open: \(cped.log.suffix(2000))")
            }
        }

        deinit {
            cped.stop()
            try? FileManager.default.removeItem(at: tokenFile)
        }

        var base: String { "http://127.0.0.1:\(port)" }
    }

    @Test func aRefusedTokenSaysHowToAuthenticate() async throws {
        let world = try TCPController()
        var request = HTTPClientRequest(url: world.base + "/v1/deployables")
        request.method = .GET
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status.code == 401)
        #expect(response.headers["WWW-Authenticate"] == [#"Bearer realm="pcloud""#])
        #expect(response.headers["Content-Type"] == ["application/json"])
        _ = try await response.body.collect(upTo: 1 << 20)
    }

    @Test func anUnknownRouteIsAJSONNotFound() async throws {
        let world = try TCPController()
        let tcp = try await APIClient(base: world.base, token: world.token).call(.GET, "/x")
        #expect(tcp.status == 404)
        #expect(tcp.json as? [String: String] == ["error": "no such route: GET /x"], "\(tcp.text)")
        let unix = try await APIClient.unix(world.cped.socketPath).call(.DELETE, "/v1/nothing/here")
        #expect(unix.status == 404)
        #expect(unix.json as? [String: String] == ["error": "no such route: DELETE /v1/nothing/here"], "\(unix.text)")
        // A route's own 404 still names its field.
        let missing = try await APIClient.unix(world.cped.socketPath).call(.GET, "/v1/deployables/nope")
        #expect(missing.status == 404 && (missing.json as? [String: String])?["field"] == "name")
        // Without a token, an unknown route is a 401 like any other: nothing is told about routes.
        #expect(try await APIClient(base: world.base).call(.GET, "/x").status == 401)
    }

    @Test func aBinaryBodyIsRefusedWithoutEchoingIt() async throws {
        let cped = try ControllerProcess()
        let api = APIClient.unix(cped.socketPath)
        let binary: [UInt8] = Array("name: x\nassemblies: [".utf8) + [0xff, 0xfe, 0xc3, 0x28, 0x80, 0x00, 0x9f] + Array("]\n".utf8)
        var request = HTTPClientRequest(url: api.base + "/v1/deployables")
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: binary))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = Array(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(response.status.code == 422)
        let text = try #require(String(validating: bytes, as: UTF8.self), "the error is UTF-8 text")
        let json = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: String]
        #expect(json == ["error": "the request body is not UTF-8 text", "field": "body"], "\(text)")
        #expect(!text.contains("\u{FFFD}"))
        #expect((try await api.call(.GET, "/v1/deployables").json as? [Any])?.isEmpty == true, "nothing was stored")
    }

    @Test func aTokenFileOthersCanReadIsWarnedAbout() async throws {
        let world = try TCPController(tokenMode: 0o644)
        #expect(waitUntil(timeout: 30) { world.cped.log.contains("token file:") }, "\(world.cped.log.suffix(2000))")
        let line = world.cped.log.split(separator: "\n").first { $0.contains("token file:") } ?? ""
        #expect(line.contains("\(world.tokenFile.path) can be read by users other than its owner (mode 0644)"), "\(line)")
        #expect(line.contains("chmod 600 \(world.tokenFile.path)"), "\(line)")
        #expect(!world.cped.log.contains(world.token), "the token must never be logged")
        // The TCP listener still works: the warning refuses nothing.
        #expect(try await APIClient(base: world.base, token: world.token).call(.GET, "/v1/health").status == 200)
    }

    @Test func aPrivateTokenFileIsNotWarnedAbout() async throws {
        let world = try TCPController(tokenMode: 0o600)
        #expect(try await APIClient(base: world.base, token: world.token).call(.GET, "/v1/health").status == 200)
        #expect(!world.cped.log.contains("token file:"), "\(world.cped.log.suffix(2000))")
    }
}
