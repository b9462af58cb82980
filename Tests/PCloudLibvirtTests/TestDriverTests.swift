import Foundation
import PCloudModel
import Testing

@testable import PCloudLibvirt

/// Fast API-level tests against libvirt's own test driver (`test:///default`, in process).
@Suite struct TestDriverTests {
    @Test func theTestDriverListsItsDomainNamedTest() async throws {
        let connection = LibvirtConnection(uri: "test:///default")
        #expect(try await connection.domainNames().contains("test"))
        #expect(try await connection.state(of: "test") == .running)
        #expect(try await connection.state(of: "no-such-domain") == nil)
    }

    @Test func anUnknownURIFailsWithLibvirtsOwnMessage() async throws {
        let connection = LibvirtConnection(uri: "nosuchdriver:///nowhere")
        let error = await #expect(throws: LibvirtError.self) { try await connection.open() }
        #expect(error?.message.isEmpty == false)
        #expect(error?.description.contains("open nosuchdriver:///nowhere") == true)
    }

    @Test func invalidDomainXMLIsRejectedWithLibvirtsReason() async throws {
        let connection = LibvirtConnection(uri: "test:///default")
        let error = await #expect(throws: LibvirtError.self) { try await connection.define(xml: "<domain><name>x") }
        #expect(error?.message.isEmpty == false)
    }

    @Test func startDefinesAndStartsOnceFenceConfirmsOffAndRemoveForgets() async throws {
        let driver = LibvirtInfrastructure(configuration: try TinyGuest.testDriver())
        let spec = TinyGuest.spec(uniqueName("d"), "web")
        let domain = DomainDefinition.domainName(of: spec.name)

        let started = try await driver.start(spec)
        #expect(started.power == .running)
        #expect(started.address?.hasPrefix("127.77.") == true)
        let again = try await driver.start(spec)
        #expect(again.id == started.id)

        try await driver.fence(spec.name)
        #expect(try await driver.connection.state(of: domain) == .shutOff)
        try await driver.fence(spec.name)  // fencing an off guest is fine

        let restarted = try await driver.start(spec)
        #expect(restarted.power == .running)
        #expect(restarted.id == started.id)

        try await driver.remove(spec.name)
        #expect(try await driver.connection.state(of: domain) == nil)
        #expect(try await driver.guests(of: spec.name.deployable).isEmpty)
    }

    @Test func aNewDriverAdoptsGuestsFromTheirMetadata() async throws {
        let configuration = try TinyGuest.testDriver()
        let first = LibvirtInfrastructure(configuration: configuration)
        let deployable = uniqueName("adopt")
        let other = uniqueName("other")
        var web = TinyGuest.spec(deployable, "web")
        web.address = "127.0.0.9"
        let db = TinyGuest.spec(deployable, "db")
        let elsewhere = TinyGuest.spec(other, "web")
        for spec in [web, db, elsewhere] { _ = try await first.start(spec) }

        let second = LibvirtInfrastructure(configuration: configuration)
        let adopted = try await second.guests(of: deployable)
        #expect(adopted.map(\.name.assembly).sorted() == ["db", "web"])
        #expect(adopted.allSatisfy { $0.power == .running })
        #expect(adopted.first { $0.name.assembly == "web" }?.address == "127.0.0.9")
        let all = try await second.guests(of: nil).map(\.name)
        #expect(all.contains(elsewhere.name))

        for spec in [web, db, elsewhere] { try await second.remove(spec.name) }
    }

    @Test func destroyingAGuestIsReportedAsAStoppedEvent() async throws {
        let driver = LibvirtInfrastructure(configuration: try TinyGuest.testDriver())
        let spec = TinyGuest.spec(uniqueName("ev"), "web")
        _ = try await driver.start(spec)
        let events = driver.events()
        try await driver.connection.destroy(DomainDefinition.domainName(of: spec.name))
        let event = await firstEvent(in: events, timeout: .seconds(10)) { $0.name == spec.name }
        #expect(event?.power == .stopped)
        #expect(event?.reason == "destroyed")
        try await driver.remove(spec.name)
    }

    @Test func startingWithAMissingImageSaysWhichImage() async throws {
        let driver = LibvirtInfrastructure(configuration: try TinyGuest.testDriver())
        let spec = TinyGuest.spec(uniqueName("img"), "web", image: "nosuchimage")
        let error = await #expect(throws: LibvirtError.self) { try await driver.start(spec) }
        #expect(error?.message.contains("nosuchimage") == true)
    }
}

/// The per-guest files (overlay, host key, seed disk) are really made, once, even against the
/// test driver: the host key stays the same across fence and start, so the pin never breaks.
@Suite struct GuestFilesTests {
    @Test func aGuestKeepsItsHostKeyAcrossRestartsAndLosesItsFilesOnRemove() async throws {
        let configuration = try TinyGuest.testDriver()
        let driver = LibvirtInfrastructure(configuration: configuration)
        var spec = TinyGuest.spec(uniqueName("files"), "db", image: "disk")
        spec.authorizedKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheTest deployable"
        let domain = DomainDefinition.domainName(of: spec.name)
        let files = "\(configuration.guestDirectory)/\(domain)"

        let started = try await driver.start(spec)
        let hostKey = try #require(started.hostKey)
        #expect(hostKey.hasPrefix("ssh-ed25519 "))
        for file in ["root.qcow2", "seed.img", "ssh_host_ed25519_key", "ssh_host_ed25519_key.pub"] {
            #expect(FileManager.default.fileExists(atPath: "\(files)/\(file)"), "\(file) was not made")
        }
        let xml = try await driver.connection.xmlDescription(of: domain)
        #expect(xml.contains("\(files)/root.qcow2"))
        #expect(xml.contains("\(files)/seed.img"))

        try await driver.fence(spec.name)
        let restarted = try await driver.start(spec)
        #expect(restarted.hostKey == hostKey)
        let adopted = try await LibvirtInfrastructure(configuration: configuration).guests(of: spec.name.deployable)
        #expect(adopted.first?.hostKey == hostKey)

        try await driver.remove(spec.name)
        #expect(!FileManager.default.fileExists(atPath: files))
    }
}
