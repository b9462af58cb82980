import Foundation

/// The original's uuids: its shell wrote an assembly's uuid4 as 32 lowercase hex digits without
/// dashes (and the deployable's name where a deployable uuid belongs). Both forms of a real uuid are
/// kept as the same value; the XML export writes the original's form.
public enum OriginalUUID {
    /// `9b1d0c4e8f2a4c1d9e3b7a6f5c4d3e2a` or `9b1d0c4e-8f2a-...`; nil for anything else (`dep1`, `123456`).
    public static func parse(_ text: String) -> UUID? {
        if let uuid = UUID(uuidString: text) { return uuid }
        guard text.count == 32, text.allSatisfy(\.isHexDigit) else { return nil }
        let hex = Array(text)
        let dashed = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
        return UUID(uuidString: dashed)
    }

    /// 32 lowercase hex digits, as the original's shell wrote them.
    public static func text(_ uuid: UUID) -> String {
        uuid.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }
}
