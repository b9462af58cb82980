import Foundation
import PCloudModel
import PCloudTestSupport
import Testing

@testable import PCloudLibvirt

/// A guest watched by its agent gets agent.json (and the broker's CA) on its seed disk, with the
/// broker as the guest reaches it; a broker the guest's network cannot reach is refused up front.
@Suite(.enabled(if: SeedTools.missing == nil, "\(SeedTools.missing ?? "")"))
struct GuestAgentSeedTests {
    let images = URL(fileURLWithPath: TinyGuest.guestDirectory())
    let guests = URL(fileURLWithPath: TinyGuest.guestDirectory())

    func spec(brokerHost: String, ca: String? = nil) -> GuestSpec {
        var spec = TinyGuest.spec("shop", "web", image: "base")
        let broker = GuestAgentFile.Broker(host: brokerHost, port: 5672, user: "pcloud-shop", password: "s3cret", caPEM: ca)
        spec.agent = GuestAgentFile(broker: broker, deployable: "shop", assembly: Assembly(name: "web"))
        return spec
    }

    func configuration(_ network: LibvirtConfiguration.NetworkMode) throws -> LibvirtConfiguration {
        // A root disk only needs to exist for the overlay to be made on it.
        try Data(count: 1 << 20).write(to: images.appendingPathComponent("base.img"))
        return LibvirtConfiguration(
            uri: "test:///default", imageDirectory: images.path, guestDirectory: guests.path, network: network)
    }

    /// `name` from the seed disk image, read without mounting it.
    func seedFile(_ name: String) throws -> String {
        let seed = guests.appendingPathComponent("pcloud-shop-web/seed.img").path
        return try runCommand("/bin/sh", ["-c", "/usr/sbin/debugfs -R 'cat /\(name)' '\(seed)' 2>/dev/null"]).output
    }

    @Test func aLoopbackBrokerIsReachedThroughQEMUUserNetworkingsGateway() async throws {
        defer { for url in [images, guests] { try? FileManager.default.removeItem(at: url) } }
        let driver = LibvirtInfrastructure(configuration: try configuration(.loopbackForward))
        _ = try await driver.definition(
            for: spec(brokerHost: "127.0.0.1", ca: "-----BEGIN CERTIFICATE-----"), domain: "pcloud-shop-web")
        let agent = try JSONSerialization.jsonObject(with: Data(try seedFile("agent.json").utf8)) as? [String: Any]
        let broker = agent?["broker"] as? [String: Any]
        #expect(broker?["host"] as? String == "10.0.2.2")
        #expect(broker?["user"] as? String == "pcloud-shop")
        #expect(broker?["ca"] as? String == GuestAgentFile.caPathInGuest)
        #expect(agent?["assembly"] as? String == "web")
        #expect(try seedFile("broker-ca.pem").contains("BEGIN CERTIFICATE"))
        // The seed holds the deployable's broker password: only root reads it on the host.
        let seed = guests.appendingPathComponent("pcloud-shop-web/seed.img").path
        #expect(try FileManager.default.attributesOfItem(atPath: seed)[.posixPermissions] as? Int == 0o600)
    }

    @Test func aBrokerElsewhereIsWrittenAsItIsAndAnSSHGuestGetsNoAgentFile() async throws {
        defer { for url in [images, guests] { try? FileManager.default.removeItem(at: url) } }
        let driver = LibvirtInfrastructure(configuration: try configuration(.libvirtNetwork("default")))
        _ = try await driver.definition(for: spec(brokerHost: "192.168.122.1"), domain: "pcloud-shop-web")
        #expect(try seedFile("agent.json").contains("\"192.168.122.1\""))
        #expect(try seedFile("broker-ca.pem").isEmpty)

        try FileManager.default.removeItem(at: guests.appendingPathComponent("pcloud-shop-web"))
        _ = try await driver.definition(for: TinyGuest.spec("shop", "web", image: "base"), domain: "pcloud-shop-web")
        #expect(try seedFile("agent.json").isEmpty)
        #expect(try seedFile("hostname") == "web\n")
    }

    @Test func aLoopbackBrokerOnALibvirtNetworkIsRefusedNamingTheSetting() async throws {
        defer { for url in [images, guests] { try? FileManager.default.removeItem(at: url) } }
        let driver = LibvirtInfrastructure(configuration: try configuration(.libvirtNetwork("default")))
        await #expect {
            _ = try await driver.definition(for: spec(brokerHost: "127.0.0.1"), domain: "pcloud-shop-web")
        } throws: { error in
            "\(error)".contains("cannot reach the broker at 127.0.0.1") && "\(error)".contains("--broker-guest-address")
        }
    }
}

/// What making and reading a seed disk takes, or why it cannot be done here.
enum SeedTools {
    static let missing = missingPrerequisite(
        executables: ["/usr/bin/qemu-img", "/usr/bin/ssh-keygen", "/usr/sbin/mkfs.ext4", "/usr/sbin/debugfs"])
}
