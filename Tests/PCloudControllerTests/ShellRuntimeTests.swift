import Foundation
import PCloudTestSupport
import Testing

private func pcloudsh(_ arguments: [String], socket: String) throws -> (status: Int32, output: String) {
    try runCommand(BuiltProducts.path("pcloudsh"), arguments + ["--socket", socket])
}

@Test func deployableStatusShowsEveryAssemblyAndResource() async throws {
    let cped = try ControllerProcess()
    let yaml = try String(
        contentsOf: BuiltProducts.packageRoot.appendingPathComponent("Deployables/wordpress.yaml"), encoding: .utf8)
    #expect(try await APIClient.unix(cped.socketPath).call(.POST, "/v1/deployables", body: yaml).status == 201)
    let table = try pcloudsh(["deployable_status", "wordpress"], socket: cped.socketPath)
    #expect(table.status == 0, "\(table.output)")
    #expect(table.output.contains("Deployable wordpress: stopped (libvirt, ssh monitoring)"))
    #expect(table.output.contains("ASSEMBLY  RESOURCE  STATE"))
    #expect(table.output.contains("mariadb"))
    let json = try pcloudsh(["deployable_status", "wordpress", "--json"], socket: cped.socketPath)
    let status = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
    #expect((status?["assemblies"] as? [[String: Any]])?.count == 2)
    let missing = try pcloudsh(["deployable_status", "nope"], socket: cped.socketPath)
    #expect(missing.status == 1 && missing.output.contains("error: deployable 'nope' does not exist"))
}

@Test func eventsArePrintedAsSentences() async throws {
    let cped = try ControllerProcess()
    let yaml = try String(
        contentsOf: BuiltProducts.packageRoot.appendingPathComponent("Deployables/wordpress.yaml"), encoding: .utf8)
    _ = try await APIClient.unix(cped.socketPath).call(.POST, "/v1/deployables", body: yaml)
    let events = try pcloudsh(["events"], socket: cped.socketPath)
    #expect(events.status == 0)
    #expect(events.output.contains("[wordpress] deployable wordpress defined: 2 assemblies, 2 resources"))
}

@Test func runtimeCommandsSayWhenCpedIsNotRunning() throws {
    let result = try pcloudsh(["deployable_status", "x"], socket: "/tmp/pcloud-no-such-\(UUID()).sock")
    #expect(result.status == 1)
    #expect(result.output.contains("cannot reach cped at /tmp/pcloud-no-such-"))
    #expect(result.output.contains("is it running?"))
}
