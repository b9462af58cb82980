import Foundation
import FoundationXML
import PCloudModel
import Testing

@testable import PCloudLibvirt

@Suite struct DomainXMLTests {
    let metadata = GuestMetadata(
        guest: GuestName(deployable: "demo", assembly: "web"), deployableUUID: "7d0e8f5a-1111-2222-3333-444455556666",
        address: "127.77.1.2", hostKey: "ssh-ed25519 AAAAC3Nza pcloud-demo-web")

    func definition(network: DomainDefinition.Network = .loopbackForward(address: "127.77.1.2")) -> DomainDefinition {
        DomainDefinition(
            name: "pcloud-demo-web", metadata: metadata, virtualization: "qemu", memoryMiB: 192, vcpus: 2,
            kernel: "/img/debian12.vmlinuz", initrd: "/img/debian12.initrd", kernelArguments: "root=/dev/vda console=ttyS0",
            rootDisk: "/guests/pcloud-demo-web/root.qcow2", seedDisk: "/guests/pcloud-demo-web/seed.img", network: network,
            mac: "52:54:00:aa:bb:cc", consoleLog: "/guests/pcloud-demo-web/console.log")
    }

    func parse(_ xml: String) throws -> XMLElement {
        try #require(try XMLDocument(xmlString: xml).rootElement())
    }

    func text(_ root: XMLElement, _ path: String) throws -> [String] {
        try root.nodes(forXPath: path).compactMap { $0.stringValue }
    }

    @Test func domainXMLCarriesTheGuestsSizeBootAndDisks() throws {
        let root = try parse(definition().xml)
        #expect(root.attribute(forName: "type")?.stringValue == "qemu")
        #expect(try text(root, "name") == ["pcloud-demo-web"])
        #expect(try text(root, "memory") == ["192"])
        #expect(try text(root, "vcpu") == ["2"])
        #expect(try text(root, "os/kernel") == ["/img/debian12.vmlinuz"])
        #expect(try text(root, "os/initrd") == ["/img/debian12.initrd"])
        #expect(try text(root, "os/cmdline") == ["root=/dev/vda console=ttyS0"])
        #expect(
            try text(root, "devices/disk/source/@file") == [
                "/guests/pcloud-demo-web/root.qcow2", "/guests/pcloud-demo-web/seed.img",
            ])
        #expect(try text(root, "devices/disk/driver/@type") == ["qcow2", "raw"])
        #expect(try text(root, "devices/disk/target/@dev") == ["vda", "vdb"])
        #expect(try root.nodes(forXPath: "devices/disk[target/@dev='vdb']/readonly").count == 1)
        #expect(try text(root, "devices/serial/source/@path") == ["/guests/pcloud-demo-web/console.log"])
        #expect(try text(root, "on_crash") == ["destroy"])
    }

    @Test func loopbackForwardingGivesQEMUAUserNetworkWithTheGuestsMACAndSSHForward() throws {
        let xml = definition().xml
        #expect(xml.contains("xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'"))
        #expect(xml.contains("hostfwd=tcp:127.77.1.2:22-:22"))
        #expect(xml.contains("virtio-net-pci,netdev=pcloudnet0,mac=52:54:00:aa:bb:cc"))
        #expect(try parse(xml).nodes(forXPath: "devices/interface").isEmpty)
    }

    @Test func aLibvirtNetworkBecomesAnInterfaceWithTheMAC() throws {
        let root = try parse(definition(network: .libvirtNetwork("default")).xml)
        #expect(try text(root, "devices/interface/source/@network") == ["default"])
        #expect(try text(root, "devices/interface/mac/@address") == ["52:54:00:aa:bb:cc"])
        #expect(!definition(network: .libvirtNetwork("default")).xml.contains("qemu:commandline"))
    }

    @Test func metadataReadsBackFromTheDomainXML() throws {
        let root = try parse(definition().xml)
        let element = try #require(root.elements(forName: "metadata").first?.children?.first as? XMLElement)
        #expect(element.uri == GuestMetadata.namespace)
        #expect(GuestMetadata(xml: element.xmlString) == metadata)
    }

    @Test func metadataSurvivesCharactersThatNeedEscaping() {
        let odd = GuestMetadata(
            guest: GuestName(deployable: "a&b", assembly: "<web>"), deployableUUID: "u'1\"", hostKey: "ssh-ed25519 K a&b")
        #expect(GuestMetadata(xml: odd.xml) == odd)
        #expect(GuestMetadata(xml: "<pcloud:guest/>") == nil)
    }

    @Test func macAddressesAreStablePerNameAndDifferBetweenNames() {
        let web = DomainDefinition.mac(for: "pcloud-demo-web")
        #expect(web == DomainDefinition.mac(for: "pcloud-demo-web"))
        #expect(web != DomainDefinition.mac(for: "pcloud-demo-db"))
        #expect(web.hasPrefix("52:54:00:"))
        #expect(web.split(separator: ":").count == 6)
        #expect(web.split(separator: ":").allSatisfy { $0.count == 2 && UInt8($0, radix: 16) != nil })
    }

    @Test func loopbackAddressesAreStableAndInsideLoopback() {
        let address = DomainDefinition.loopbackAddress(for: "pcloud-demo-web")
        #expect(address == DomainDefinition.loopbackAddress(for: "pcloud-demo-web"))
        let octets = address.split(separator: ".").compactMap { Int($0) }
        #expect(octets.count == 4 && octets[0] == 127 && octets[3] >= 1 && octets[3] <= 254)
    }

    @Test func domainNamesFollowTheDeployableAndAssembly() {
        #expect(DomainDefinition.domainName(of: GuestName(deployable: "demo", assembly: "db")) == "pcloud-demo-db")
    }

    @Test func lifecycleEventsMapToGuestPowerTheControllerActsOn() {
        #expect(LifecycleChange.stopped(.failed).guestPowerAndReason?.0 == .crashed)
        #expect(LifecycleChange.stopped(.destroyed).guestPowerAndReason?.1 == "destroyed")
        #expect(LifecycleChange.stopped(.shutdown).guestPowerAndReason?.0 == .stopped)
        #expect(LifecycleChange.started.guestPowerAndReason?.0 == .running)
        #expect(LifecycleChange.defined.guestPowerAndReason == nil)
    }
}
