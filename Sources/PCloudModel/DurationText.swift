import Foundation

/// Durations as people write them in definitions: `500ms`, `10s`, `2m`, `1h`, `1d`, a bare number of
/// seconds (`30`), and the combinations Pacemaker accepts (`1m30s`, `1min`).
public enum DurationText {
    /// Parses `text` into a duration, or returns nil when it is not a duration.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !trimmed.isEmpty else { return nil }
        if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 {
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        var total: Int64 = 0
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isNumber || $0 == "." })
            guard !digits.isEmpty, let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix(while: { $0.isLetter })
            rest = rest.dropFirst(unitText.count)
            guard let unit = unitMilliseconds[String(unitText)] else { return nil }
            total += Int64((value * Double(unit)).rounded())
        }
        return .milliseconds(total)
    }

    /// The shortest text that parses back to `duration` (`90s` becomes `1m30s`).
    public static func format(_ duration: Duration) -> String {
        var ms = duration.milliseconds
        if ms == 0 { return "0s" }
        var out = ""
        for (unit, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] as [(String, Int64)] {
            if ms >= size {
                out += "\(ms / size)\(unit)"
                ms %= size
            }
        }
        return out
    }

    private static let unitMilliseconds: [String: Int64] = [
        "ms": 1, "msec": 1,
        "s": 1000, "sec": 1000, "": 1000,
        "m": 60_000, "min": 60_000,
        "h": 3_600_000, "hr": 3_600_000,
        "d": 86_400_000,
    ]
}

extension Duration {
    /// Whole milliseconds, rounded toward zero.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Seconds as a Double, for arithmetic on instants.
    public var seconds: Double {
        Double(milliseconds) / 1000
    }
}
