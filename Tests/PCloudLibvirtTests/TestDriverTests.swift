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
