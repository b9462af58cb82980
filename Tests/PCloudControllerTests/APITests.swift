import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import PCloudTestSupport
import Testing

private let wordpressYAML =
    (try? String(
        contentsOf: BuiltProducts.packageRoot.appendingPathComponent("Deployables/wordpress.yaml"),
        encoding: .utf8)) ?? ""

@Test func theAPISocketIsPrivateToItsOwner() async throws {
    let cped = try ControllerProcess()
    // Once it answers, it has finished setting up its socket.
    let health = try await APIClient.unix(cped.socketPath).call(.GET, "/v1/health")
    #expect(health.status == 200)
    let mode = try FileManager.default.attributesOfItem(atPath: cped.socketPath)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    let store = try FileManager.default.attributesOfItem(atPath: cped.storePath)[.posixPermissions] as? Int
    #expect(store.map { $0 & 0o077 } == 0, "the store is not readable by others")
}

@Test func deployablesAreDefinedListedShownAndDeletedThroughTheAPI() async throws {
    let cped = try ControllerProcess()
    let api = APIClient.unix(cped.socketPath)
    let created = try await api.call(.POST, "/v1/deployables", body: wordpressYAML)
    #expect(created.status == 201, "\(created.text)")
    let list = try await api.call(.GET, "/v1/deployables")
    #expect((list.json as? [[String: Any]])?.map { $0["name"] as? String } == ["wordpress"])
    let shown = try await api.call(.GET, "/v1/deployables/wordpress")
    #expect((shown.json as? [String: Any])?["assemblies"] as? [String] == ["db", "web"])
    let status = try await api.call(.GET, "/v1/deployables/wordpress/status")
    let assemblies = (status.json as? [String: Any])?["assemblies"] as? [[String: Any]]
    #expect(assemblies?.map { $0["state"] as? String } == ["stopped", "stopped"])
    let again = try await api.call(.POST, "/v1/deployables", body: wordpressYAML)
    #expect(again.status == 409 && (again.json as? [String: String])?["field"] == "name")
    #expect(try await api.call(.DELETE, "/v1/deployables/wordpress").status == 204)
    #expect(try await api.call(.GET, "/v1/deployables/wordpress").status == 404)
}

@Test func invalidRequestsAreRefusedNamingTheField() async throws {
    let cped = try ControllerProcess()
    let api = APIClient.unix(cped.socketPath)
    let bad = try await api.call(.POST, "/v1/deployables", body: "name: x\nassemblies: [db]\nmonitor: {method: telnet}\n")
    #expect(bad.status == 422)
    let error = bad.json as? [String: String]
    #expect(error?["field"] == "monitor.method")
    #expect(error?["error"]?.contains("request body:3:19: monitor.method: expected one of ssh, agent, got 'telnet'") == true)
    let after = try await api.call(.GET, "/v1/events?after=minus-one")
    #expect(after.status == 400 && (after.json as? [String: String])?["field"] == "after")
    let limit = try await api.call(.GET, "/v1/events?limit=0")
    #expect(limit.status == 400 && (limit.json as? [String: String])?["field"] == "limit")
    let missing = try await api.call(.GET, "/v1/deployables/nope/status")
    #expect(missing.status == 404 && (missing.json as? [String: String])?["field"] == "name")
}

@Test func theEventStreamReplaysHistoryThenFollowsLiveEvents() async throws {
    let cped = try ControllerProcess()
    let api = APIClient.unix(cped.socketPath)
    _ = try await api.call(.POST, "/v1/deployables", body: wordpressYAML)
    var request = HTTPClientRequest(url: api.base + "/v1/events/stream?after=0")
    request.method = .GET
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    #expect(response.status == .ok)
    var seen: [[String: Any]] = []
    var buffer = Data()
    var deleted = false
    for try await chunk in response.body {
        buffer.append(Data(buffer: chunk))
        while let newline = buffer.firstIndex(of: 10) {
            if let event = try JSONSerialization.jsonObject(with: buffer[buffer.startIndex..<newline]) as? [String: Any] {
                seen.append(event)
            }
            buffer = Data(buffer[(newline + 1)...])
        }
        if seen.count == 1 && !deleted {
            deleted = true  // a live event, published after the stream was opened
            #expect(try await api.call(.DELETE, "/v1/deployables/wordpress").status == 204)
        }
        if seen.count >= 2 { break }
    }
    #expect(seen.map { $0["kind"] as? String } == ["deployable.defined", "deployable.deleted"])
    #expect(seen.map { $0["seq"] as? Int } == [1, 2])
}

@Test func metricsAreExportedForPrometheus() async throws {
    let cped = try ControllerProcess()
    let api = APIClient.unix(cped.socketPath)
    _ = try await api.call(.POST, "/v1/deployables", body: wordpressYAML)
    let metrics = try await api.call(.GET, "/metrics")
    #expect(metrics.status == 200)
    #expect(metrics.text.contains(#"pcloud_events_total{deployable="wordpress",kind="deployable.defined"} 1"#))
}

@Test func theTCPListenerRequiresItsToken() async throws {
    let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
    let token = UUID().uuidString + UUID().uuidString
    try token.write(to: tokenFile, atomically: true, encoding: .utf8)
    let port = freeLoopbackPort()
    let cped = try ControllerProcess(extraArguments: ["--tcp", "127.0.0.1:\(port)", "--token-file", tokenFile.path])
    #expect(waitUntil(timeout: 10) { portIsOpen("127.0.0.1", UInt16(port)) })
    let anonymous = try await APIClient(base: "http://127.0.0.1:\(port)").call(.GET, "/v1/deployables")
    #expect(anonymous.status == 401 && (anonymous.json as? [String: String])?["field"] == "Authorization")
    let wrong = try await APIClient(base: "http://127.0.0.1:\(port)", token: String(token.reversed())).call(
        .GET, "/v1/deployables")
    #expect(wrong.status == 401)
    let right = try await APIClient(base: "http://127.0.0.1:\(port)", token: token).call(.GET, "/v1/deployables")
    #expect(right.status == 200)
    #expect(!cped.log.contains(token), "the token must never be logged")
}

@Test func tcpWithoutATokenIsRefusedAtStart() throws {
    let result = try runCommand(BuiltProducts.path("cped"), ["--tcp", "127.0.0.1:1", "--socket", "/tmp/x-\(UUID()).sock"])
    #expect(result.status != 0)
    #expect(result.output.contains("--tcp needs --token-file"))
}

@Test func sigtermStopsCpedGracefullyAndRemovesItsSocket() throws {
    let cped = try ControllerProcess()
    cped.process.signal(SIGTERM)
    #expect(waitUntil(timeout: 15) { !cped.process.isRunning })
    #expect(cped.process.process.terminationStatus == 0, "\(cped.log.suffix(2000))")
    #expect(!FileManager.default.fileExists(atPath: cped.socketPath))
}

/// Under systemd with WatchdogSec= (WATCHDOG_USEC set), the watchdog's sleep was cancelled by the
/// stop and its CancellationError made cped exit 1 on every `systemctl stop`.
@Test func sigtermWithTheSystemdWatchdogOnStillExitsZero() throws {
    let cped = try ControllerProcess(environment: ["WATCHDOG_USEC": "10000000"])
    cped.process.signal(SIGTERM)
    #expect(waitUntil(timeout: 15) { !cped.process.isRunning })
    #expect(cped.process.process.terminationStatus == 0, "\(cped.log.suffix(2000))")
}

@Test func sigtermStopsCpedEvenWhileSomeoneFollowsTheEvents() throws {
    let cped = try ControllerProcess()
    let follower = try ManagedProcess(
        "follower", executable: BuiltProducts.path("pcloudsh"), arguments: ["events", "--follow", "--socket", cped.socketPath])
    defer { follower.stop() }
    Thread.sleep(forTimeInterval: 1)
    #expect(follower.isRunning)
    cped.process.signal(SIGTERM)
    #expect(waitUntil(timeout: 15) { !cped.process.isRunning }, "cped kept running: \(cped.log.suffix(1000))")
    #expect(waitUntil(timeout: 5) { !follower.isRunning }, "the follower was not told the stream ended")
}
