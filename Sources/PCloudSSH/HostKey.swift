/// A host public key in OpenSSH's one-line form, `TYPE BASE64` (as in a `.pub` file or
/// known_hosts, without the comment). Pinned keys are compared in this form.
public struct HostKey: Sendable, Hashable, CustomStringConvertible {
    public let type: String
    public let base64: String

    /// From the raw SSH wire blob libssh2 hands over: its first field names the key type.
    init?(blob: [UInt8]) {
        guard blob.count >= 4 else { return nil }
        let length = blob[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, blob.count >= 4 + length else { return nil }
        type = String(decoding: blob[4..<(4 + length)], as: UTF8.self)
        base64 = Base64.encode(blob)
    }

    /// From text such as `ssh-ed25519 AAAAC3... root@host`; the comment is ignored.
    public init?(_ text: String) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard fields.count >= 2 else { return nil }
        type = String(fields[0])
        base64 = String(fields[1])
    }

    public var description: String { "\(type) \(base64)" }
}

/// Standard base64 with padding (enough for host keys; no Foundation needed).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0f) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3f)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
