/// The one rule for every name in a definition: deployables, assemblies, resources, templates,
/// parameters, images and users, from YAML, the API, pcloudsh and the original's XML alike. Names become
/// file names, libvirt domain and host names, and words in commands, so they are kept to:
///
/// 1 to 63 ASCII letters, digits, `.`, `_` and `-`, starting with a letter or digit, and no `..`.
///
/// A resource's `type` and `provider` (which become paths under /usr/lib/ocf/resource.d, /etc/init.d and
/// systemd unit names) follow the same rule, except that they may be up to 128 characters long and a
/// type may contain `@` (systemd template units such as `getty@tty1`).
public enum NameRule {
    public static let maximumLength = 63
    public static let maximumAgentLength = 128
    /// The rule in words, for error messages and help.
    public static let description = description(maximumLength: maximumLength, extra: [])

    private static func description(maximumLength: Int, extra: Set<Character>) -> String {
        let characters = ["'.'", "'_'", "'-'"] + extra.sorted().map { "'\($0)'" }
        return "use 1 to \(maximumLength) letters, digits, \(characters.dropLast().joined(separator: ", ")) and "
            + "\(characters.last!), starting with a letter or digit, without '..'"
    }

    /// What is wrong with `text` as a name, or nil when it is one.
    public static func problem(_ text: String) -> String? {
        problem(text, what: "name", maximumLength: maximumLength, extra: [])
    }

    public static func isValid(_ text: String) -> Bool { problem(text) == nil }

    /// What is wrong with `text` as a resource type (`allowAt`) or provider, or nil when it is fine.
    public static func agentProblem(_ text: String, allowAt: Bool) -> String? {
        problem(text, what: allowAt ? "type" : "provider", maximumLength: maximumAgentLength, extra: allowAt ? ["@"] : [])
    }

    private static func problem(_ text: String, what: String, maximumLength: Int, extra: Set<Character>) -> String? {
        guard let first = text.first else { return "a \(what) cannot be empty" }
        let count = text.unicodeScalars.count
        if count > maximumLength {
            return "'\(shown(text))' is too long (\(count) characters; at most \(maximumLength))"
        }
        let allowed: (Character) -> Bool = {
            $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0) || extra.contains($0))
        }
        guard first.isASCII, first.isLetter || first.isNumber, text.allSatisfy(allowed), !text.contains("..") else {
            return "'\(shown(text))' is not a valid \(what) (\(description(maximumLength: maximumLength, extra: extra)))"
        }
        return nil
    }

    /// `text` as it may be shown in a message: control characters escaped, cut after 40 characters.
    public static func shown(_ text: String) -> String {
        let cut = text.unicodeScalars.count > 40 ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(40))) + "…" : text
        return cut.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control || scalar == "'" ? scalar.escaped(asASCII: true) : String(scalar)
        }.joined()
    }
}
