/// POSIX shell quoting for arguments of remote commands: the remote `sh` sees each value as one
/// word, whatever spaces, quotes, `$`, backquotes or newlines it holds.
public enum ShellQuote {
    private static let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")

    /// One argument: left bare when it holds only safe characters, else single-quoted with every
    /// `'` written as `'\''`.
    public static func quote(_ value: String) -> String {
        if !value.isEmpty && value.allSatisfy({ safe.contains($0) }) { return value }
        return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A command line from its words, each quoted.
    public static func command(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
