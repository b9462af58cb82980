import PCloudModel

/// Everything that goes into one guest's libvirt domain definition. Pure: `xml` has no side
/// effects, so it is unit-tested without libvirt.
public struct DomainDefinition: Sendable, Hashable {
    /// How the guest's network is attached.
    public enum Network: Sendable, Hashable {
        /// No network interface.
        case none
        /// QEMU user-mode networking; the guest's sshd is forwarded from `address`:`port` on the
        /// host's loopback (each guest gets its own 127.x.y.z), so nothing leaves the host.
        case loopbackForward(address: String, port: Int = 22)
        /// A libvirt network (`default`): NAT bridge with DHCP leases.
        case libvirtNetwork(String)
    }

    public var name: String
    public var metadata: GuestMetadata
    /// `qemu` (TCG, works everywhere) or `kvm`; `test` for the test driver.
    public var virtualization: String
    public var memoryMiB: Int
    public var vcpus: Int
    public var kernel: String?
    public var initrd: String?
    public var kernelArguments: String?
    /// The guest's root disk: a qcow2 overlay on the base image (vda).
    public var rootDisk: String?
    /// A small raw disk with the per-assembly files (host key, authorized key) (vdb).
    public var seedDisk: String?
    public var network: Network
    public var mac: String
    /// The serial console (ttyS0) is written here.
    public var consoleLog: String?

    public init(
        name: String, metadata: GuestMetadata, virtualization: String = "qemu", memoryMiB: Int = 256, vcpus: Int = 1,
        kernel: String? = nil, initrd: String? = nil, kernelArguments: String? = nil, rootDisk: String? = nil,
        seedDisk: String? = nil, network: Network = .none, mac: String, consoleLog: String? = nil
    ) {
        self.name = name
        self.metadata = metadata
        self.virtualization = virtualization
        self.memoryMiB = memoryMiB
        self.vcpus = vcpus
        self.kernel = kernel
        self.initrd = initrd
        self.kernelArguments = kernelArguments
        self.rootDisk = rootDisk
        self.seedDisk = seedDisk
        self.network = network
        self.mac = mac
        self.consoleLog = consoleLog
    }

    /// The libvirt domain name of a guest: `pcloud-DEPLOYABLE-ASSEMBLY`.
    public static func domainName(of guest: GuestName) -> String { "pcloud-\(guest.deployable)-\(guest.assembly)" }

    /// A locally administered MAC in QEMU's 52:54:00 range, stable for a name.
    public static func mac(for name: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        let bytes = [(hash >> 16) & 0xff, (hash >> 8) & 0xff, hash & 0xff]
        return "52:54:00:" + bytes.map { hex($0) }.joined(separator: ":")
    }

    /// A loopback address of its own for a guest's forwarded sshd, stable for a name.
    public static func loopbackAddress(for name: String) -> String {
        let mac = Self.mac(for: name).split(separator: ":").suffix(2).compactMap { Int($0, radix: 16) }
        return "127.77.\(mac[0] % 254 + 1).\(mac[1] % 254 + 1)"
    }

    public var xml: String {
        var lines: [String] = []
        let qemuNamespace = needsQEMUCommandLine ? " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'" : ""
        lines.append("<domain type='\(esc(virtualization))'\(qemuNamespace)>")
        lines.append("  <name>\(esc(name))</name>")
        lines.append("  <metadata>")
        lines.append(metadata.xml.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        lines.append("  </metadata>")
        lines.append("  <memory unit='MiB'>\(memoryMiB)</memory>")
        lines.append("  <vcpu>\(vcpus)</vcpu>")
        lines.append("  <os>")
        lines.append("    <type arch='x86_64'>hvm</type>")
        if let kernel { lines.append("    <kernel>\(esc(kernel))</kernel>") }
        if let initrd { lines.append("    <initrd>\(esc(initrd))</initrd>") }
        if let kernelArguments { lines.append("    <cmdline>\(esc(kernelArguments))</cmdline>") }
        if kernel == nil { lines.append("    <boot dev='hd'/>") }
        lines.append("  </os>")
        lines.append("  <on_poweroff>destroy</on_poweroff>")
        lines.append("  <on_reboot>restart</on_reboot>")
        lines.append("  <on_crash>destroy</on_crash>")
        lines.append("  <devices>")
        if let rootDisk { lines += disk(rootDisk, format: "qcow2", target: "vda") }
        if let seedDisk { lines += disk(seedDisk, format: "raw", target: "vdb", readOnly: true) }
        lines += interface
        if let consoleLog {
            lines.append("    <serial type='file'>")
            lines.append("      <source path='\(esc(consoleLog))' append='on'/>")
            lines.append("      <target port='0'/>")
            lines.append("    </serial>")
        }
        lines.append("  </devices>")
        // The NIC is added on the QEMU command line (user-mode forwarding has no libvirt XML before
        // passt); it takes PCI slot 0x1e so it never collides with the slots libvirt assigns.
        if case .loopbackForward(let address, let port) = network {
            lines.append("  <qemu:commandline>")
            lines.append("    <qemu:arg value='-netdev'/>")
            lines.append("    <qemu:arg value='user,id=pcloudnet0,hostfwd=tcp:\(esc(address)):\(port)-:22'/>")
            lines.append("    <qemu:arg value='-device'/>")
            lines.append("    <qemu:arg value='virtio-net-pci,netdev=pcloudnet0,mac=\(esc(mac)),addr=0x1e'/>")
            lines.append("  </qemu:commandline>")
        }
        lines.append("</domain>")
        return lines.joined(separator: "\n") + "\n"
    }

    private var needsQEMUCommandLine: Bool {
        if case .loopbackForward = network { return true }
        return false
    }

    private var interface: [String] {
        guard case .libvirtNetwork(let network) = network else { return [] }
        return [
            "    <interface type='network'>", "      <source network='\(esc(network))'/>",
            "      <mac address='\(esc(mac))'/>", "      <model type='virtio'/>", "    </interface>",
        ]
    }

    private func disk(_ path: String, format: String, target: String, readOnly: Bool = false) -> [String] {
        [
            "    <disk type='file' device='disk'>", "      <driver name='qemu' type='\(format)'/>",
            "      <source file='\(esc(path))'/>", "      <target dev='\(target)' bus='virtio'/>",
        ] + (readOnly ? ["      <readonly/>"] : []) + ["    </disk>"]
    }

    private func esc(_ text: String) -> String { XMLText.escape(text) }
}

private func hex(_ value: UInt64) -> String {
    let text = String(value, radix: 16)
    return text.count == 1 ? "0" + text : text
}
