import Foundation

/// Durations as people write them in definitions: `500ms`, `10s`, `2m`, `1h`, `1d`, a bare number of
/// seconds (`30`), and the combinations Pacemaker accepts (`1m30s`, `1min`).
///
/// No duration is longer than `maximum` (365 days). Parsing is total: the arithmetic is done in
/// Double and checked against the maximum before anything becomes an integer, so no input can trap.
public enum DurationText {
    /// The longest duration a definition or an option may give.
    public static let maximum: Duration = .seconds(365 * 86_400)
    /// The maximum as people read it, for error messages.
    public static let maximumText = "365 days (365d)"

    /// Why a text is not an acceptable duration.
    public enum Problem: Error, Sendable, Equatable {
        /// Not written as a duration at all (`ten`, `-5`, `nan`).
        case notADuration
        /// A duration, but longer than `maximum` (`1e300`, `99999999999999999999d`).
        case tooLong
    }

    /// Parses `text` into a duration, or returns nil when it is not one or is longer than `maximum`.
    public static func parse(_ text: String) -> Duration? {
        try? read(text).get()
    }

    /// Parses `text` into a duration, saying what is wrong when it cannot be one.
    public static func read(_ text: String) -> Result<Duration, Problem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let first = trimmed.first else { return .failure(.notADuration) }
        let limit = Double(maximum.milliseconds)
        // Double() also reads "nan", "inf", "0x1p4" and "-5": only plain non-negative numbers are seconds.
        let plainNumber = first != "-" && trimmed.allSatisfy { "0123456789.e+-".contains($0) }
        if plainNumber, let seconds = Double(trimmed) {
            guard !seconds.isNaN, seconds >= 0 else { return .failure(.notADuration) }
            let ms = (seconds * 1000).rounded()
            guard ms.isFinite, ms <= limit else { return .failure(.tooLong) }
            return .success(.milliseconds(Int64(ms)))
        }
        var total = 0.0
        var tooLong = false
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && ($0.isNumber || $0 == ".") })
            guard !digits.isEmpty, let value = Double(digits), !value.isNaN else { return .failure(.notADuration) }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix(while: { $0.isLetter })
            rest = rest.dropFirst(unitText.count)
            guard let unit = unitMilliseconds[String(unitText)] else { return .failure(.notADuration) }
            let part = (value * Double(unit)).rounded()
            if !part.isFinite || part > limit { tooLong = true } else { total += part }
            if total > limit { tooLong = true }
        }
        guard !tooLong else { return .failure(.tooLong) }
        return .success(.milliseconds(Int64(total)))
    }

    /// What is wrong with `text` as a duration, for a message that starts with the field or option.
    public static func message(_ problem: Problem, text: String) -> String {
        switch problem {
        case .notADuration:
            return "expected a duration such as 10s, 2m, 500ms or a number of seconds, got '\(NameRule.shown(text))'"
        case .tooLong:
            return "'\(NameRule.shown(text))' is too long: a duration is at most \(maximumText)"
        }
    }

    /// The shortest text that parses back to `duration` (`90s` becomes `1m30s`).
    public static func format(_ duration: Duration) -> String {
        var ms = duration.milliseconds
        if ms == 0 { return "0s" }
        var out = ms < 0 ? "-" : ""
        if ms < 0 { ms = ms == .min ? .max : -ms }
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
    /// Whole milliseconds, rounded toward zero; saturates at Int64's range instead of trapping (a
    /// Duration decoded from a stored JSON or made by arithmetic may be longer than any definition allows).
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflowAdding) = ms.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if overflowAdding { return ms < 0 ? .min : .max }
        return sum
    }

    /// `seconds` as a Duration of whole milliseconds, clamped to Int64 milliseconds (NaN is zero):
    /// for spans computed from instants, which must never trap.
    public static func saturating(seconds: Double) -> Duration {
        let ms = (seconds * 1000).rounded()
        if ms.isNaN { return .zero }
        if ms >= 9_223_372_036_854_775_807 { return .milliseconds(Int64.max) }
        if ms <= -9_223_372_036_854_775_808 { return .milliseconds(Int64.min) }
        return .milliseconds(Int64(ms))
    }

    /// Seconds as a Double, for arithmetic on instants.
    public var seconds: Double {
        Double(milliseconds) / 1000
    }
}
