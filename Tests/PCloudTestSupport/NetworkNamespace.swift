import Foundation

/// A network namespace made by a test: a veth pair whose inner end (with `guestAddress`) lives in
/// the namespace and whose outer end (with `hostAddress`) stays here. Deleted when released.
public final class NetworkNamespace: @unchecked Sendable {
    public let name: String
    public let hostAddress: String
    public let guestAddress: String
    private let outer: String

    /// `subnet` picks a distinct 10.213.SUBNET.0/30 per namespace (0...255).
    public init(subnet: Int) throws {
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        name = "pcloud-\(tag)"
        outer = "pcv\(tag)o"
        let inner = "pcv\(tag)i"
        hostAddress = "10.213.\(subnet).1"
        guestAddress = "10.213.\(subnet).2"
        let steps: [[String]] = [
            ["netns", "add", name],
            ["link", "add", outer, "type", "veth", "peer", "name", inner],
            ["link", "set", inner, "netns", name],
            ["addr", "add", "\(hostAddress)/30", "dev", outer],
            ["link", "set", outer, "up"],
            ["netns", "exec", name, "ip", "addr", "add", "\(guestAddress)/30", "dev", inner],
            ["netns", "exec", name, "ip", "link", "set", inner, "up"],
            ["netns", "exec", name, "ip", "link", "set", "lo", "up"],
        ]
        for step in steps {
            let result = try runCommand("/usr/sbin/ip", step)
            if result.status != 0 {
                remove()
                throw NetworkNamespaceError(command: "ip " + step.joined(separator: " "), output: result.output)
            }
        }
    }

    /// Takes the link down (the guest vanishes from the network: packets go nowhere) or up again.
    public func setLink(up: Bool) throws {
        let result = try runCommand("/usr/sbin/ip", ["link", "set", outer, up ? "up" : "down"])
        if result.status != 0 { throw NetworkNamespaceError(command: "ip link set \(outer)", output: result.output) }
    }

    private func remove() {
        _ = try? runCommand("/usr/sbin/ip", ["netns", "del", name])
        _ = try? runCommand("/usr/sbin/ip", ["link", "del", outer])
    }

    deinit { remove() }
}

public struct NetworkNamespaceError: Error, CustomStringConvertible {
    public var command: String
    public var output: String
    public var description: String { "\(command) failed: \(output)" }
}
