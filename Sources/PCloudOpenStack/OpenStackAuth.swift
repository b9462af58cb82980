import Foundation
import NIOHTTP1

/// Authenticates requests to one cloud: Keystone v3 (password or application credential, the
/// token cached until shortly before it expires, one token request at a time) or noauth headers.
public actor OpenStackAuth {
    public let cloud: OpenStackCloud
    let http: OpenStackHTTP
    /// A token is renewed this long before Keystone says it expires.
    let renewBefore: TimeInterval
    private var token: KeystoneToken?
    private var pending: Task<KeystoneToken, any Error>?
    /// How many tokens this actor has requested from Keystone (for tests and metrics).
    public private(set) var tokensIssued = 0

    public init(cloud: OpenStackCloud, http: OpenStackHTTP, renewBefore: TimeInterval = 120) {
        self.cloud = cloud
        self.http = http
        self.renewBefore = renewBefore
    }

    /// The base URL of `service` (e.g. `compute`) and the headers that authenticate a request to it.
    public func authorize(service: String) async throws -> (endpoint: String, headers: HTTPHeaders) {
        if case .noAuth(let user, let projectID, let roles) = cloud.auth {
            guard let endpoint = cloud.computeEndpointOverride else {
                throw OpenStackConfigError("cloud '\(cloud.name)': noauth needs compute_endpoint_override")
            }
            return (
                endpoint,
                [
                    "X-Auth-User": user, "X-Auth-Project-Id": projectID, "X-Roles": roles.joined(separator: ","),
                    "X-Auth-Token": "\(user):\(projectID)",
                ]
            )
        }
        let token = try await currentToken()
        let endpoint =
            try service == "compute" && cloud.computeEndpointOverride != nil
            ? cloud.computeEndpointOverride!
            : token.catalog.endpoint(type: service, interface: cloud.interface, region: cloud.regionName)
        return (endpoint, ["X-Auth-Token": token.value.value])
    }

    /// Forgets the token if it is still `value` (a 401 said it is no longer valid).
    public func invalidate(headers: HTTPHeaders) {
        if let current = token, headers.first(name: "X-Auth-Token") == current.value.value { token = nil }
    }

    /// Whether 401s can be cured by a new token (not so with noauth).
    public nonisolated var canReauthenticate: Bool {
        if case .noAuth = cloud.auth { return false }
        return true
    }

    private func currentToken() async throws -> KeystoneToken {
        if let token, token.expiresAt.timeIntervalSinceNow > renewBefore { return token }
        if let pending { return try await pending.value }
        let task = Task { try await self.issue() }
        pending = task
        defer { pending = nil }
        let fresh = try await task.value
        token = fresh
        return fresh
    }

    private func issue() async throws -> KeystoneToken {
        guard let authURL = cloud.authURL, let body = try KeystoneToken.requestBody(for: cloud.auth) else {
            throw OpenStackConfigError("cloud '\(cloud.name)' has no auth_url")
        }
        let base = authURL.hasSuffix("/") ? String(authURL.dropLast()) : authURL
        let url = (base.hasSuffix("/v3") ? base : base + "/v3") + "/auth/tokens"
        let response = try await http.send(.POST, url, json: body)
        tokensIssued += 1
        guard let value = response.headers.first(name: "X-Subject-Token") else {
            throw OpenStackError(
                method: "POST", path: OpenStackHTTP.path(of: url), status: response.status,
                message: "no X-Subject-Token in Keystone's answer")
        }
        return try KeystoneToken(value: value, body: response.body)
    }
}
