import Foundation

/// What Keystone v3 answers to POST /v3/auth/tokens: the token (from `X-Subject-Token`), its
/// expiry and the catalog.
public struct KeystoneToken: Sendable {
    public var value: Secret
    public var expiresAt: Date
    public var catalog: ServiceCatalog
    public var projectID: String?
    public var userID: String?

    struct Body: Decodable {
        struct Token: Decodable {
            struct Ref: Decodable { var id: String }
            var expiresAt: String
            var catalog: ServiceCatalog?
            var project: Ref?
            var user: Ref?

            enum CodingKeys: String, CodingKey {
                case expiresAt = "expires_at"
                case catalog, project, user
            }
        }
        var token: Token
    }

    /// Parses a token response body (`value` comes from the `X-Subject-Token` header).
    public init(value: String, body: Data) throws {
        let decoded = try JSONDecoder().decode(Body.self, from: body)
        guard let expiry = Self.parseDate(decoded.token.expiresAt) else {
            throw OpenStackConfigError("Keystone token expiry '\(decoded.token.expiresAt)' is not a date")
        }
        self.value = Secret(value)
        expiresAt = expiry
        catalog = decoded.token.catalog ?? ServiceCatalog(services: [])
        projectID = decoded.token.project?.id
        userID = decoded.token.user?.id
    }

    /// Keystone writes `2026-11-25T13:36:13.000000Z` (microseconds), ISO 8601 otherwise.
    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var trimmed = text
        if let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
        {
            let fraction = text[text.index(after: dot)..<zone].prefix(3)
            trimmed = String(text[..<dot]) + "." + fraction + String(text[zone...])
        }
        if let date = formatter.date(from: trimmed) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// The body of a v3 token request for `auth` (nil for noAuth).
    static func requestBody(for auth: OpenStackCloud.Auth) throws -> Data? {
        func identity(_ user: OpenStackCloud.Identity) -> [String: Any] {
            var object: [String: Any] = [:]
            if let id = user.id { object["id"] = id }
            if let name = user.name { object["name"] = name }
            if let domainID = user.domainID {
                object["domain"] = ["id": domainID]
            } else if let domainName = user.domainName {
                object["domain"] = ["name": domainName]
            }
            return object
        }
        let body: [String: Any]
        switch auth {
        case .noAuth:
            return nil
        case .password(let user, let password, let project):
            var passwordUser = identity(user)
            passwordUser["password"] = password.value
            var auth: [String: Any] = ["identity": ["methods": ["password"], "password": ["user": passwordUser]]]
            if project.id != nil || project.name != nil {
                let scope = project.id.map { ["id": $0] as [String: Any] } ?? identity(project)
                auth["scope"] = ["project": scope]
            }
            body = ["auth": auth]
        case .applicationCredential(let id, let name, let user, let secret):
            var credential: [String: Any] = ["secret": secret.value]
            if let id { credential["id"] = id }
            if let name { credential["name"] = name }
            if id == nil, let user { credential["user"] = identity(user) }
            body = [
                "auth": [
                    "identity": ["methods": ["application_credential"], "application_credential": credential]
                ]
            ]
        }
        return try JSONSerialization.data(withJSONObject: body)
    }
}
