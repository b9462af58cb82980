import Foundation
import PCloudStore
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

/// `pcloudsh deployable_import` writes the store file itself, not through cped: its event is in the
/// store, and a running cped hands it to whoever follows the events and lists it with the rest.
@Test func anOfflineImportReachesARunningCpedsEventFollowers() async throws {
    let cped = try ControllerProcess()
    let follower = try ManagedProcess(
        "follower", executable: BuiltProducts.path("pcloudsh"), arguments: ["events", "--follow", "--socket", cped.socketPath])
    defer { follower.stop() }
    // An event through the API first: once the follower prints it, it is following live.
    let root = BuiltProducts.packageRoot
    let yaml = try String(contentsOf: root.appendingPathComponent("Deployables/wordpress.yaml"), encoding: .utf8)
    #expect(try await APIClient.unix(cped.socketPath).call(.POST, "/v1/deployables", body: yaml).status == 201)
    #expect(waitUntil(timeout: 15) { follower.logText().contains("deployable wordpress defined") }, "\(follower.logText())")

    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("offline-\(UUID().uuidString.prefix(8)).yaml")
    try yaml.replacingOccurrences(of: "name: wordpress", with: "name: offline").write(to: copy, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: copy) }
    let offline = try runCommand(
        BuiltProducts.path("pcloudsh"),
        ["deployable_import", copy.path, "--store", cped.storePath, "--definitions", root.path])
    #expect(offline.status == 0, "\(offline.output)")

    #expect(try await Store(path: cped.storePath).lastEvent(deployable: "offline")?.kind == "deployable.defined")
    #expect(
        waitUntil(timeout: 15) { follower.logText().contains("[offline] deployable offline defined") },
        "the follower never saw the offline import: \(follower.logText())")
    let events = try pcloudsh(["events"], socket: cped.socketPath)
    #expect(events.output.contains("[offline] deployable offline defined: 2 assemblies, 2 resources"), "\(events.output)")
    // The API's import is recorded once, by the store, not again by the API.
    #expect(events.output.components(separatedBy: "deployable wordpress defined").count == 2, "\(events.output)")
}
