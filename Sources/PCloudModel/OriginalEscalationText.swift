/// How pcloud reads the original's `escalation_failures` and `escalation_period` attributes, one rule
/// for both formats' users (docs/definitions.md, "The original's XML"):
///
/// - plain: a whole number (a period in seconds, the original's unit), or `INFINITY`, a number <= 0
///   or no attribute for "never escalate" (the original's own meanings), read as the original read it;
/// - not plain but readable: a period with a unit or a fraction (`10m`, `1h`, `10s`, `2.5`) is read
///   as the duration it says (`10m` is ten minutes, as pcloud's shell reads it) and a count with
///   something after its digits (`3x`) as its digits; each with a warning saying how the original's
///   engine (`strtol`) read it instead, so `validate` refuses the file;
/// - unreadable (`soon`, `often`, `-5m`): refused, never turned into "never escalate".
enum OriginalEscalationText {
    /// One attribute that is not plain: its name and what to tell the operator.
    struct Complaint: Equatable {
        var attribute: String
        var message: String
    }

    struct Reading: Equatable {
        var limit: EscalationLimit?
        /// Readable but not plain: the file imports, `validate` refuses it.
        var warnings: [Complaint] = []
        /// Unreadable: the file does not import.
        var errors: [Complaint] = []
    }

    static func read(failures failuresText: String?, period periodText: String?) -> Reading {
        var reading = Reading()
        let failures = count(failuresText, into: &reading)
        let period = duration(periodText, into: &reading)
        guard reading.errors.isEmpty else { return reading }
        switch (failures, period) {
        case (let failures?, let period?):
            reading.limit = EscalationLimit(failures: failures, period: period)
        case (let failures?, nil):
            reading.warnings.append(
                Complaint(
                    attribute: "escalation_failures",
                    message:
                        "\(failures) failures but no escalation_period (got '\(periodText ?? "")'): never escalates, as in the original; give both to escalate"
                ))
        case (nil, let period?):
            reading.warnings.append(
                Complaint(
                    attribute: "escalation_period",
                    message:
                        "a period of \(DurationText.format(period)) but no escalation_failures (got '\(failuresText ?? "")'): never escalates, as in the original; give both to escalate"
                ))
        case (nil, nil):
            break
        }
        return reading
    }

    /// nil for "never"; the count otherwise.
    private static func count(_ text: String?, into reading: inout Reading) -> Int? {
        guard let text, !isNever(text) else { return nil }
        if let value = Int(text) { return value > 0 ? value : nil }
        let digits = leadingInteger(text)
        guard let value = digits.flatMap({ Int($0) }), value > 0 else {
            reading.errors.append(
                Complaint(
                    attribute: "escalation_failures",
                    message:
                        "expected a whole number of failures, or INFINITY for never, got '\(NameRule.shown(text))' (the original read it as never escalate; pcloud will not guess)"
                ))
            return nil
        }
        reading.warnings.append(
            Complaint(
                attribute: "escalation_failures",
                message:
                    "'\(NameRule.shown(text))' is not a whole number: read as \(value), as the original's engine did; write \(value)"
            ))
        return value
    }

    /// nil for "never"; the period otherwise.
    private static func duration(_ text: String?, into reading: inout Reading) -> Duration? {
        guard let text, !isNever(text) else { return nil }
        if let seconds = Int(text) { return seconds > 0 ? .seconds(seconds) : nil }
        switch DurationText.read(text) {
        case .success(let value) where value > .zero:
            let original = leadingInteger(text).flatMap { Int($0) }
            let shown = "\(DurationText.format(value)) (\(secondsText(value)))"
            let how: String
            if let original, original > 0, Duration.seconds(original) == value {
                how = "read as \(shown), as the original's engine read it too"
            } else if let original, original > 0 {
                how = "read as \(shown); the original's engine read it as \(original) s"
            } else {
                how = "read as \(shown); the original's engine read it as never escalate"
            }
            reading.warnings.append(
                Complaint(
                    attribute: "escalation_period",
                    message:
                        "'\(NameRule.shown(text))' is not a plain number of seconds: \(how); \(advice(value))"
                ))
            return value
        case .success:
            return nil
        case .failure(.tooLong):
            reading.errors.append(
                Complaint(attribute: "escalation_period", message: DurationText.message(.tooLong, text: text)))
            return nil
        case .failure(.notADuration):
            reading.errors.append(
                Complaint(
                    attribute: "escalation_period",
                    message:
                        "expected a number of seconds, or INFINITY for never, got '\(NameRule.shown(text))' (the original read it as never escalate; pcloud will not guess)"
                ))
            return nil
        }
    }

    private static func advice(_ value: Duration) -> String {
        value.milliseconds % 1000 == 0
            ? "write \(secondsText(value, unit: false))" : "the original's format holds whole seconds only"
    }

    private static func isNever(_ text: String) -> Bool {
        text.trimmingCharacters(in: .whitespaces).uppercased() == "INFINITY"
    }

    /// What C's `strtol(text, &end, 10)` reads: optional blanks and sign, then digits; nil without digits.
    static func leadingInteger(_ text: String) -> String? {
        var rest = Substring(text).drop(while: { $0 == " " || $0 == "\t" })
        var sign = ""
        if let first = rest.first, first == "-" || first == "+" {
            sign = String(first)
            rest = rest.dropFirst()
        }
        let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
        return digits.isEmpty ? nil : sign + digits
    }

    /// `600 s`, or `2.5 s` for a fraction (or `600` / `2.5` without the unit).
    static func secondsText(_ duration: Duration, unit: Bool = true) -> String {
        let ms = duration.milliseconds
        let number = ms % 1000 == 0 ? "\(ms / 1000)" : "\(Double(ms) / 1000)"
        return unit ? "\(number) s" : number
    }
}
