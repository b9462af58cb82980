import Foundation
import PCloudModel
import PCloudTestSupport
import Testing

@testable import PCloudLibvirt

/// The real base image from scripts/build-image.sh booted under libvirt + QEMU (TCG): the guest's
/// sshd answers on its forwarded loopback address with the host key pcloud generated for it, and
/// lets the deployable's key in.
@Suite(.serialized, .enabled(if: DebianImage.missing == nil, "\(DebianImage.missing ?? "")"))
struct DebianGuestTests {
    @Test func theBuiltImageBootsToSSHWithThePinnedHostKeyAndTheDeployablesKey() async throws {
        try await LibvirtDaemon.using { try await bootAndLogIn() }
    }

    func bootAndLogIn() async throws {
        let keys = URL(fileURLWithPath: TinyGuest.guestDirectory())
        let clientKey = keys.appendingPathComponent("client").path
        try runCommand("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", clientKey])
        var spec = TinyGuest.spec(uniqueName("deb"), "web", image: "debian12", memoryMiB: 512)
        spec.authorizedKey = try String(contentsOfFile: clientKey + ".pub", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)

        let driver = LibvirtInfrastructure(configuration: TinyGuest.qemu(network: .loopbackForward))
        let begin = ContinuousClock.now
        let info = try await driver.start(spec)
        let address = try #require(info.address)
        let hostKey = try #require(info.hostKey)
        #expect(hostKey.hasPrefix("ssh-ed25519 "))

        let sshUp = await eventually(timeout: .seconds(240)) { sshBanner(address) }
        let bootTime = ContinuousClock.now - begin
        #expect(sshUp, "sshd never answered on \(address):22")
        print("measured: debian12 guest start to sshd banner under TCG: \(bootTime)")

        let knownHosts = keys.appendingPathComponent("known_hosts").path
        let pinned = hostKey.split(separator: " ").prefix(2).joined(separator: " ")
        try Data("\(address) \(pinned)\n".utf8).write(to: URL(fileURLWithPath: knownHosts))
        let login = try runCommand(
            "/usr/bin/ssh",
            [
                "-i", clientKey, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o",
                "UserKnownHostsFile=\(knownHosts)",
                "-o", "ConnectTimeout=20", "root@\(address)", "hostname; ls /usr/lib/ocf/resource.d/heartbeat | wc -l",
            ])
        #expect(login.status == 0, "ssh with the pinned key failed: \(login.output)")
        let lines = login.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "web")
        #expect((Int(lines.last ?? "") ?? 0) > 10, "resource-agents missing in the guest: \(login.output)")

        let adopted = try await LibvirtInfrastructure(configuration: driver.configuration).guests(of: spec.name.deployable)
        #expect(adopted.first?.hostKey == hostKey)
        #expect(adopted.first?.address == address)

        try await driver.remove(spec.name)
        try? FileManager.default.removeItem(at: keys)
    }
}

/// Why the debian12 image cannot be booted here, or nil.
enum DebianImage {
    static let missing = LibvirtDaemon.debianImageMissing
}

/// True when something on address:22 sends an SSH identification line.
func sshBanner(_ address: String) -> Bool {
    guard let result = try? runCommand("/usr/bin/timeout", ["3", "/usr/bin/ssh-keyscan", "-T", "2", "-t", "ed25519", address])
    else {
        return false
    }
    return result.output.contains("ssh-ed25519")
}
