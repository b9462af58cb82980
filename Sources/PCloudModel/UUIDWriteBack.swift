import Foundation

/// Gives a deployable file its uuid once: when the file has no top-level `uuid:`, a line is inserted
/// after its top-level `name:` line, leaving every other line (and comment) as written.
public enum UUIDWriteBack {
    /// Returns the file's text with `uuid` added, or nil when it already has one.
    public static func adding(_ uuid: UUID, to text: String) -> String? {
        var lines = text.components(separatedBy: "\n")
        if lines.contains(where: { $0.hasPrefix("uuid:") }) { return nil }
        let line = "uuid: \(uuid.uuidString.lowercased())"
        if let index = lines.firstIndex(where: { $0.hasPrefix("name:") }) {
            lines.insert(line, at: index + 1)
        } else {
            lines.insert(line, at: 0)
        }
        return lines.joined(separator: "\n")
    }

    /// Writes the uuid into `file` atomically if it has none; returns whether it wrote.
    @discardableResult
    public static func write(_ uuid: UUID, into file: URL) throws -> Bool {
        let text = try String(contentsOf: file, encoding: .utf8)
        guard let updated = adding(uuid, to: text) else { return false }
        try updated.write(to: file, atomically: true, encoding: .utf8)
        return true
    }
}
