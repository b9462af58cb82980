import Foundation
import PCloudTestSupport
import Testing

/// A deleted deployable's broker user and password file go with it, however it was deleted: here
/// by `pcloudsh deployable_delete` on the store file, which cped learns of from the
/// `deployable.deleted` event the store records. The user and file stand for what cped made when
/// one of its guests started (that needs a libvirt guest; AgentGuestTests covers the making).
@Test(.enabled(if: BrokerProcess.missing == nil, "\(BrokerProcess.missing ?? "")"))
func anOfflineDeleteRemovesTheDeployablesBrokerUserAndPasswordFile() async throws {
    let broker = try BrokerProcess()
    let files = URL(fileURLWithPath: "/tmp/pcloud-brokerclean-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: files) }
    let users = files.appendingPathComponent("broker-users")
    let environment = broker.environment.merging(["RABBITMQCTL": BrokerProcess.ctlExecutable]) { $1 }
    let exports = environment.sorted { $0.key < $1.key }.map { "export \($0.key)='\($0.value)'" }
    let script = BuiltProducts.packageRoot.appendingPathComponent("broker/pcloud-broker-users").path
    try (["#!/bin/sh"] + exports + ["exec /bin/sh '\(script)' \"$@\"", ""]).joined(separator: "\n")
        .write(to: users, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: users.path)
    let cped = try ControllerProcess(extraArguments: [
        "--broker", "127.0.0.1:\(broker.port)", "--broker-password-file",
        broker.directory.appendingPathComponent("controller.password").path, "--broker-users-command", users.path,
    ])
    let yaml = """
        name: shop
        infrastructure: {type: static}
        monitor: {method: agent}
        assemblies:
          - name: shop-box
            address: 127.0.0.1

        """
    #expect(try await APIClient.unix(cped.socketPath).call(.POST, "/v1/deployables", body: yaml).status == 201)
    // What cped makes at a guest's start: the password file in its state directory, and the user.
    let passwords = cped.directory.appendingPathComponent("store/broker-users")
    try FileManager.default.createDirectory(at: passwords, withIntermediateDirectories: true)
    let passwordFile = passwords.appendingPathComponent("shop.password")
    try "Abc123def456ghi789jkl012mno345pq\n".write(to: passwordFile, atomically: true, encoding: .utf8)
    try broker.addDeployableUser("shop", password: "Abc123def456ghi789jkl012mno345pq")
    func listed() throws -> Bool { try broker.rabbitmqctl(["-q", "list_users"]).output.contains("pcloud-shop") }
    #expect(try listed())

    let deleted = try runCommand(BuiltProducts.path("pcloudsh"), ["deployable_delete", "shop", "--store", cped.storePath])
    #expect(deleted.status == 0, "\(deleted.output)")
    #expect(waitUntil(timeout: 30) { !FileManager.default.fileExists(atPath: passwordFile.path) }, "\(cped.log.suffix(2000))")
    #expect(try !listed(), "the broker user pcloud-shop is still there")
    withExtendedLifetime(broker) {}
}
