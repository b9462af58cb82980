import Foundation
import NIOHTTP1
import PCloudTestSupport
import Testing

@testable import PCloudOpenStack

/// Keystone v3 auth against the real Keystone (sqlite, fernet tokens) over HTTP. Nova in the
/// harness validates no tokens (stubbed keystone), so authenticated calls here go to Keystone's
/// own `identity` service, found through the catalog like any other service.
@Suite(.serialized) struct KeystoneAuthTests {
    static func keystone() async throws -> KeystoneProcess? { try await SharedKeystone.pair()?.keystone }

    static func passwordCloud(_ keystone: KeystoneProcess, password: String? = nil) -> OpenStackCloud {
        OpenStackCloud(
            name: "keystone", authURL: keystone.authURL,
            auth: .password(
                user: .init(name: "admin", domainID: "default"), password: Secret(password ?? keystone.adminPassword),
                project: .init(name: "admin", domainID: "default")),
            regionName: "RegionOne")
    }

    struct Projects: Decodable {
        struct Project: Decodable { var name: String }
        var projects: [Project]
    }

    @Test func passwordAuthFindsServicesInTheCatalogAndCachesTheToken() async throws {
        guard let keystone = try await Self.keystone() else { return }
        let auth = OpenStackAuth(cloud: Self.passwordCloud(keystone), http: OpenStackHTTP())
        let identity = OpenStackSession(auth: auth, http: OpenStackHTTP(), service: "identity")
        let projects = try await identity.send(.GET, "/auth/projects", as: Projects.self)
        #expect(projects.projects.map(\.name).contains("admin"))
        _ = try await identity.send(.GET, "/auth/projects", as: Projects.self)
        let nova = try #require(try await SharedKeystone.pair()?.nova)
        #expect(try await auth.authorize(service: "compute").endpoint == nova.computeURL)
        #expect(await auth.tokensIssued == 1)
    }

    @Test func aRevokedTokenIsReplacedOnceAfter401() async throws {
        guard let keystone = try await Self.keystone() else { return }
        let http = OpenStackHTTP()
        let auth = OpenStackAuth(cloud: Self.passwordCloud(keystone), http: http)
        let identity = OpenStackSession(auth: auth, http: http, service: "identity")
        let (_, headers) = try await auth.authorize(service: "identity")
        // Revoke the cached token behind the client's back: the next call gets a real 401.
        var revoke = headers
        revoke.add(name: "X-Subject-Token", value: headers.first(name: "X-Auth-Token") ?? "")
        _ = try await http.send(.DELETE, keystone.authURL + "/auth/tokens", headers: revoke)
        _ = try await identity.send(.GET, "/auth/projects", as: Projects.self)
        #expect(await auth.tokensIssued == 2)
    }

    @Test func aTokenCloseToExpiryIsRenewed() async throws {
        guard let keystone = try await Self.keystone() else { return }
        // Keystone issues 1-hour tokens; renewing 2 hours before expiry renews every time.
        let auth = OpenStackAuth(cloud: Self.passwordCloud(keystone), http: OpenStackHTTP(), renewBefore: 7200)
        _ = try await auth.authorize(service: "identity")
        _ = try await auth.authorize(service: "identity")
        #expect(await auth.tokensIssued == 2)
    }

    @Test func applicationCredentialAuthGetsAToken() async throws {
        guard let keystone = try await Self.keystone() else { return }
        let http = OpenStackHTTP()
        let admin = OpenStackAuth(cloud: Self.passwordCloud(keystone), http: http)
        let (_, headers) = try await admin.authorize(service: "identity")
        let userID = try #require(try await tokenUserID(keystone, headers: headers))
        struct Created: Decodable {
            struct Credential: Decodable { var id: String, secret: String }
            var credential: Credential
            enum CodingKeys: String, CodingKey { case credential = "application_credential" }
        }
        let identity = OpenStackSession(auth: admin, http: http, service: "identity")
        let body = try JSONSerialization.data(withJSONObject: [
            "application_credential": ["name": "pcloud-\(UUID().uuidString.prefix(6))"]
        ])
        let credential = try await identity.send(.POST, "/users/\(userID)/application_credentials", json: body, as: Created.self)
        let cloud = OpenStackCloud(
            name: "appcred", authURL: keystone.authURL,
            auth: .applicationCredential(
                id: credential.credential.id, name: nil, user: nil,
                secret: Secret(credential.credential.secret)))
        let auth = OpenStackAuth(cloud: cloud, http: http)
        let projects = try await OpenStackSession(auth: auth, http: http, service: "identity").send(
            .GET, "/auth/projects", as: Projects.self)
        #expect(projects.projects.map(\.name) == ["admin"])
    }

    @Test func aWrongPasswordIsA401ErrorThatDoesNotShowThePassword() async throws {
        guard let keystone = try await Self.keystone() else { return }
        let auth = OpenStackAuth(cloud: Self.passwordCloud(keystone, password: "wrong-pw-123"), http: OpenStackHTTP())
        do {
            _ = try await auth.authorize(service: "identity")
            Issue.record("a wrong password was accepted")
        } catch let error as OpenStackError {
            #expect(error.method == "POST" && error.path == "/v3/auth/tokens" && error.status == 401)
            #expect(error.message == "The request you have made requires authentication.")
            #expect(!"\(error)".contains("wrong-pw-123"))
        }
    }

    func tokenUserID(_ keystone: KeystoneProcess, headers: NIOHTTP1.HTTPHeaders) async throws -> String? {
        var validate = headers
        validate.add(name: "X-Subject-Token", value: headers.first(name: "X-Auth-Token") ?? "")
        let response = try await OpenStackHTTP().send(.GET, keystone.authURL + "/auth/tokens", headers: validate)
        return try KeystoneToken(value: "", body: response.body).userID
    }
}
