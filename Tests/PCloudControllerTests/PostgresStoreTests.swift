import Foundation
import PCloudTestSupport
import Testing

// cped and pcloudsh on a PostgreSQL store: the same state through both, kept across a restart.

private func pcloudsh(_ arguments: [String]) throws -> (status: Int32, output: String) {
    try runCommand(BuiltProducts.path("pcloudsh"), arguments)
}

/// A copy of the repository's definitions (an import writes a uuid back into its YAML file).
private func copiedDefinitions() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pcloud-defs-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    for sub in ["Assemblies", "Deployables"] {
        try FileManager.default.copyItem(
            at: BuiltProducts.packageRoot.appendingPathComponent(sub), to: directory.appendingPathComponent(sub))
    }
    return directory
}

@Test func cpedOnPostgresShowsWhatPcloudshImportedAndKeepsItAcrossARestart() async throws {
    if let reason = PostgresServer.missing {
        print("skipping: \(reason)")
        return
    }
    let server = try PostgresServer.shared()
    let url = server.tcpURL(try server.createDatabase())
    let store = ["--store", url, "--store-password-file", server.passwordFile]
    let definitions = try copiedDefinitions()
    let imported = try pcloudsh(
        ["deployable_import", definitions.appendingPathComponent("Deployables/wordpress.yaml").path] + store)
    #expect(imported.status == 0, "\(imported.output)")

    let cped = try ControllerProcess(extraArguments: ["--store-password-file", server.passwordFile], store: url)
    #expect(cped.log.contains("sslmode=disable"), "cped names its store (never a password)")
    #expect(
        !cped.log.contains(try String(contentsOfFile: server.passwordFile, encoding: .utf8).trimmingCharacters(in: .newlines)))
    let status = try pcloudsh(["deployable_status", "wordpress", "--socket", cped.socketPath])
    #expect(status.status == 0 && status.output.contains("Deployable wordpress: stopped"), "\(status.output)\n\(cped.log)")
    // A definition written by cped itself (an event with it) goes to the same database.
    let yaml = try String(contentsOf: definitions.appendingPathComponent("Deployables/demo.yaml"), encoding: .utf8)
    #expect(try await APIClient.unix(cped.socketPath).call(.POST, "/v1/deployables", body: yaml).status == 201)
    let listed = try pcloudsh(["deployable_list", "--json"] + store)
    #expect(listed.output.contains("\"demo\"") && listed.output.contains("\"wordpress\""), "\(listed.output)")

    try cped.crashAndRestart()
    let after = try pcloudsh(["deployable_status", "wordpress", "--socket", cped.socketPath])
    #expect(after.status == 0 && after.output.contains("Deployable wordpress: stopped"), "\(after.output)\n\(cped.log)")
    let events = try pcloudsh(["events", "--socket", cped.socketPath])
    #expect(events.output.contains("[demo] deployable demo defined"), "\(events.output)")
}

@Test func cpedRefusesAStoreURLWithAPasswordSayingHowToGiveIt() throws {
    let result = try runCommand(
        BuiltProducts.path("cped"),
        [
            "--config", "/nonexistent.yaml", "--socket", "/tmp/pcloud-never-\(UUID().uuidString.prefix(8)).sock",
            "--store", "postgresql://pcloud:hunter2@127.0.0.1/pcloud",
        ])
    #expect(result.status != 0)
    #expect(result.output.contains("--store-password-file"), "\(result.output)")
    #expect(!result.output.contains("hunter2"), "the refusal must not repeat the password")
    let port = try runCommand(
        BuiltProducts.path("cped"),
        ["--config", "/nonexistent.yaml", "--socket", "/tmp/pcloud-never.sock", "--store", "postgresql://pcloud@db:http/pcloud"])
    #expect(port.status != 0 && port.output.contains("port: 'http'"), "\(port.output)")
}
