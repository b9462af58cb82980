/// How pcloud uses libvirt on this host.
public struct LibvirtConfiguration: Sendable, Hashable {
    public enum NetworkMode: Sendable, Hashable {
        /// No network interface (a guest only proven alive by its console and lifecycle).
        case none
        /// QEMU user-mode networking with the guest's sshd forwarded from a loopback address of
        /// its own (127.77.x.y:22, or the spec's 127.* address). Works on any host, touches no
        /// host network configuration: the default.
        case loopbackForward
        /// A libvirt network (NAT bridge + dnsmasq); addresses from its DHCP leases unless the
        /// spec fixes one.
        case libvirtNetwork(String)
    }

    public var uri: String
    /// Domain type: `qemu` (TCG, works without KVM), `kvm` where KVM runs guests, `test` for
    /// the test driver.
    public var virtualization: String
    /// Base images: NAME.img (raw root file system), NAME.vmlinuz and NAME.initrd.
    public var imageDirectory: String
    /// Per-guest files: overlay disk, seed disk with keys, console log.
    public var guestDirectory: String
    public var network: NetworkMode
    /// How long fencing waits for libvirt to confirm a destroyed guest is off.
    public var fenceTimeout: Duration

    public init(
        uri: String = "qemu:///system", virtualization: String = "qemu",
        imageDirectory: String = "/var/lib/pcloud/images", guestDirectory: String = "/var/lib/pcloud/guests",
        network: NetworkMode = .loopbackForward, fenceTimeout: Duration = .seconds(30)
    ) {
        self.uri = uri
        self.virtualization = virtualization
        self.imageDirectory = imageDirectory
        self.guestDirectory = guestDirectory
        self.network = network
        self.fenceTimeout = fenceTimeout
    }
}
