import Foundation
import PCloudModel

/// What pcloud records in a domain's `<metadata>` so a restarted controller can find and adopt
/// its guests: which deployable and assembly the domain is, and what was made for it.
public struct GuestMetadata: Sendable, Hashable {
    public static let namespace = "https://pcloud.dev/xmlns/guest/1"
    public static let prefix = "pcloud"

    public var guest: GuestName
    public var deployableUUID: String
    /// Where the controller reaches the guest (a forwarded loopback address or a fixed one).
    public var address: String?
    /// The guest's ssh host public key, generated when its disks were built.
    public var hostKey: String?

    public init(guest: GuestName, deployableUUID: String, address: String? = nil, hostKey: String? = nil) {
        self.guest = guest
        self.deployableUUID = deployableUUID
        self.address = address
        self.hostKey = hostKey
    }

    /// The element placed inside `<metadata>`.
    public var xml: String {
        var lines = ["<\(Self.prefix):guest xmlns:\(Self.prefix)='\(Self.namespace)'>"]
        lines.append(element("deployable", guest.deployable))
        lines.append(element("assembly", guest.assembly))
        lines.append(element("deployable-uuid", deployableUUID))
        if let address { lines.append(element("address", address)) }
        if let hostKey { lines.append(element("host-key", hostKey)) }
        lines.append("</\(Self.prefix):guest>")
        return lines.joined(separator: "\n")
    }

    /// Reads the element back as libvirt returns it (virDomainGetMetadata, any prefix).
    public init?(xml: String) {
        guard let deployable = Self.value("deployable", in: xml), let assembly = Self.value("assembly", in: xml),
            let uuid = Self.value("deployable-uuid", in: xml)
        else { return nil }
        self.init(
            guest: GuestName(deployable: deployable, assembly: assembly), deployableUUID: uuid,
            address: Self.value("address", in: xml), hostKey: Self.value("host-key", in: xml))
    }

    private func element(_ name: String, _ value: String) -> String {
        "  <\(Self.prefix):\(name)>\(XMLText.escape(value))</\(Self.prefix):\(name)>"
    }

    /// The text of the first element whose local name is `name` (prefix or not).
    private static func value(_ name: String, in xml: String) -> String? {
        let pattern = "<(?:[A-Za-z0-9_.-]+:)?\(name)(?:\\s[^>]*)?>([^<]*)</(?:[A-Za-z0-9_.-]+:)?\(name)>"
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: xml, range: NSRange(xml.startIndex..., in: xml)),
            let range = Range(match.range(at: 1), in: xml)
        else { return nil }
        return XMLText.unescape(String(xml[range]))
    }
}

/// Escaping for text and attribute values in generated XML.
enum XMLText {
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "'": out += "&apos;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
