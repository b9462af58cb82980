import Foundation
import PCloudTestSupport

/// A guest for Pacemaker's ClusterIP scenario: its own network namespace reached over a veth pair,
/// a real sshd inside it (commands run as root in the namespace), and `pcip0`, an interface that
/// exists only inside the namespace (one end of a veth pair whose both ends stay there), on which
/// Debian's real `ocf:heartbeat:IPaddr2` adds the 192.168.200.0/24 addresses. The host's own
/// interfaces and routes are never touched; everything goes with the namespace.
final class AddressGuest: @unchecked Sendable {
    static let interface = "pcip0"
    static let agent = "/usr/lib/ocf/resource.d/heartbeat/IPaddr2"

    /// Why these tests cannot run here, or nil.
    static var missing: String? {
        SSHDaemon.missing ?? missingPrerequisite(executables: [agent, "/usr/sbin/ip"], needsRoot: true)
    }

    let network: NetworkNamespace
    let sshd: SSHDaemon

    init(subnet: Int) throws {
        network = try NetworkNamespace(subnet: subnet)
        // Like systemd's defaults on a real guest: deleting the first address of the subnet promotes
        // the next instead of taking every other address with it.
        try Self.inside(network.name, ["sysctl", "-q", "-w", "net.ipv4.conf.all.promote_secondaries=1"])
        try Self.inside(network.name, ["sysctl", "-q", "-w", "net.ipv4.conf.default.promote_secondaries=1"])
        try Self.inside(network.name, ["ip", "link", "add", Self.interface, "type", "veth", "peer", "name", "pcip1"])
        try Self.inside(network.name, ["ip", "link", "set", "pcip1", "up"])
        try Self.inside(network.name, ["ip", "link", "set", Self.interface, "up"])
        sshd = try SSHDaemon(host: network.guestAddress, port: 22, namespace: network.name)
    }

    var address: String { network.guestAddress }

    /// The IPv4 addresses really present on `pcip0` inside the namespace.
    func addresses() throws -> Set<String> {
        let output = try Self.inside(network.name, ["ip", "-o", "-4", "addr", "show", "dev", Self.interface])
        return Set(
            output.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard let inet = fields.firstIndex(of: "inet"), inet + 1 < fields.count else { return nil }
                return fields[inet + 1].split(separator: "/").first.map(String.init)
            })
    }

    /// An operator's mistake inside the guest: `ip addr del ADDRESS/24 dev pcip0`.
    func deleteAddress(_ address: String) throws {
        try Self.inside(network.name, ["ip", "addr", "del", "\(address)/24", "dev", Self.interface])
    }

    @discardableResult
    static func inside(_ namespace: String, _ command: [String]) throws -> String {
        let result = try runCommand("/usr/sbin/ip", ["netns", "exec", namespace] + command)
        guard result.status == 0 else {
            throw ControllerError("ip netns exec \(namespace) \(command.joined(separator: " ")) failed: \(result.output)")
        }
        return result.output
    }
}
