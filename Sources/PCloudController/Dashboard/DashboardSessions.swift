import Foundation

/// The dashboard's logins: a browser that presented the API token once gets a random session id
/// (sent back only as an HttpOnly cookie) and a CSRF token its pages send with every action.
/// Kept in memory: a restarted cped asks for the token again.
actor DashboardSessions {
    struct Session: Sendable {
        var csrf: String
        var expires: Date
    }

    static let cookieName = "pcloud_session"
    /// How long a login lasts (the cookie's Max-Age and the server's own limit).
    static let lifetime: TimeInterval = 12 * 3600
    /// The oldest session is dropped past this many (a token holder cannot fill memory).
    static let limit = 256

    private var sessions: [String: Session] = [:]
    private let now: @Sendable () -> Date

    init(now: @escaping @Sendable () -> Date = { Date() }) { self.now = now }

    /// A new session: its id (for the cookie) and its CSRF token (for the page).
    func create() -> (id: String, csrf: String) {
        let current = now()
        sessions = sessions.filter { $0.value.expires > current }
        if sessions.count >= Self.limit, let oldest = sessions.min(by: { $0.value.expires < $1.value.expires }) {
            sessions[oldest.key] = nil
        }
        let id = Self.randomToken()
        let csrf = Self.randomToken()
        sessions[id] = Session(csrf: csrf, expires: current.addingTimeInterval(Self.lifetime))
        return (id, csrf)
    }

    /// The live session with this id, if any.
    func session(_ id: String) -> Session? {
        guard let session = sessions[id] else { return nil }
        guard session.expires > now() else {
            sessions[id] = nil
            return nil
        }
        return session
    }

    func remove(_ id: String) { sessions[id] = nil }

    /// 32 bytes from the system's CSPRNG (getrandom on Linux), as hex.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
