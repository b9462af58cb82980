import Foundation
import PCloudTestSupport
import Testing

/// Definitions that once killed cped (a duration overflowing in the parser: SIGILL, every engine gone)
/// or slipped through it: a real cped answers 422 naming the field, and goes on serving.

@Test func anOverflowingDurationIsRefusedWith422AndCpedKeepsServing() async throws {
    let cped = try ControllerProcess()
    let api = APIClient.unix(cped.socketPath)
    let body = "name: crash1\ninfrastructure: {type: static}\nmonitor: {interval: 1e300}\nassemblies: [a]\n"
    let refused = try await api.call(.POST, "/v1/deployables", body: body)
    #expect(refused.status == 422, "\(refused.text)")
    let error = refused.json as? [String: String]
    #expect(error?["field"] == "monitor.interval")
    #expect(
        error?["error"]?.contains(
            "request body:3:21: monitor.interval: '1e300' is too long: a duration is at most 365 days (365d)") == true,
        "\(refused.text)")
    for value in ["99999999999999999999d", "9223372036854775807ms", "18000000000000000ms", "100000000000000000s"] {
        let again = try await api.call(
            .POST, "/v1/deployables",
            body: "name: crash2\ninfrastructure: {type: static}\nmonitor: {interval: \(value)}\nassemblies: [a]\n")
        #expect(again.status == 422 && (again.json as? [String: String])?["field"] == "monitor.interval", "\(value): \(again.text)")
    }
    #expect(cped.process.isRunning, "cped died: \(cped.log)")
    #expect(try await api.call(.GET, "/v1/health").status == 200)
    let defined = try await api.call(
        .POST, "/v1/deployables",
        body: "name: fine\ninfrastructure: {type: static}\nmonitor: {interval: 365d}\nassemblies: [{name: a, address: 10.0.0.1}]\n")
    #expect(defined.status == 201, "\(defined.text)")
    let list = try await api.call(.GET, "/v1/deployables")
    #expect((list.json as? [[String: Any]])?.map { $0["name"] as? String } == ["fine"], "nothing of the refused ones was stored")
}

@Test func aTemplateThatIsAPathAndAnOverlongNameAreRefusedThroughTheAPI() async throws {
    let cped = try ControllerProcess()
    let api = APIClient.unix(cped.socketPath)
    let traversal = try await api.call(
        .POST, "/v1/deployables",
        body: """
            name: evil
            infrastructure: {type: static}
            assemblies:
              - name: a
                address: 10.0.0.1
                resources: [{name: r, template: ../../../x/evil}]
            """)
    #expect(traversal.status == 422, "\(traversal.text)")
    #expect((traversal.json as? [String: String])?["field"] == "assemblies[0].resources[0].template")
    #expect((traversal.json as? [String: String])?["error"]?.contains("'../../../x/evil' is not a valid name") == true)
    let long = try await api.call(
        .POST, "/v1/deployables",
        body: "name: \(String(repeating: "n", count: 100_000))\ninfrastructure: {type: static}\nassemblies: [{name: a, address: 10.0.0.1}]\n")
    #expect(long.status == 422, "\(long.text.prefix(300))")
    #expect((long.json as? [String: String])?["field"] == "name")
    #expect((long.json as? [String: String])?["error"]?.contains("is too long (100000 characters; at most 63)") == true)
    #expect(cped.process.isRunning)
    let list = try await api.call(.GET, "/v1/deployables")
    #expect((list.json as? [Any])?.isEmpty == true)
}
