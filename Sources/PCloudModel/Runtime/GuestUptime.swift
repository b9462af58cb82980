/// An uptime a guest reported, read as a number of seconds (ssh's `/proc/uptime`, the agent's
/// heartbeat). A guest can print anything: a number that is not finite, negative or longer than any
/// machine has been up is that guest's malformed answer, never arithmetic that could trap the controller.
public enum GuestUptime {
    /// A century: no real uptime is longer, and seconds × 1000 stays far inside Int64.
    public static let maximumSeconds: Double = 100 * 365.25 * 86_400

    /// The uptime, or why the number cannot be one.
    public static func read(seconds: Double) -> Result<Duration, Problem> {
        guard seconds.isFinite else { return .failure(Problem(reason: "uptime \(seconds) is not a finite number")) }
        guard seconds >= 0 else { return .failure(Problem(reason: "uptime \(seconds) is negative")) }
        guard seconds <= maximumSeconds else {
            return .failure(Problem(reason: "uptime \(seconds) s is longer than a century"))
        }
        return .success(.milliseconds(Int64((seconds * 1000).rounded(.towardZero))))
    }

    /// Reads the first field of `/proc/uptime`'s text (`12345.67 890.12`).
    public static func read(text: Substring) -> Result<Duration, Problem> {
        guard let field = text.split(separator: " ", omittingEmptySubsequences: true).first else {
            return .failure(Problem(reason: "no uptime in the answer"))
        }
        guard field.count <= 32, let seconds = Double(field) else {
            return .failure(Problem(reason: "uptime '\(field.prefix(32))' is not a number"))
        }
        return read(seconds: seconds)
    }

    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var reason: String
        public init(reason: String) { self.reason = reason }
        public var description: String { reason }
    }
}
