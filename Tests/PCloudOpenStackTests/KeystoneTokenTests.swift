import Foundation
import Testing

@testable import PCloudOpenStack

/// Parsing of a token response recorded from the real Keystone (keystone 2026.x, fernet).
@Suite struct KeystoneTokenTests {
    static let recorded = """
        {"token": {"methods": ["password"], "user": {"domain": {"id": "default", "name": "Default"}, "id": "2833f15bf4db4c269402dc0a19123765", "name": "admin", "password_expires_at": null}, "audit_ids": ["Q_IMNU8nS6-n2-iGfUqhLA"], "expires_at": "2026-11-25T13:37:13.000000Z", "issued_at": "2026-11-25T12:37:13.000000Z", "project": {"domain": {"id": "default", "name": "Default"}, "id": "45eb7e24bb9b4df799f6fee0a1e48b7b", "name": "admin"}, "is_domain": false, "roles": [{"id": "f40b307497714c858f51934951d675b3", "name": "admin"}], "catalog": [{"endpoints": [{"id": "bfbfec24e08446849b12037e8b6a6523", "interface": "public", "region_id": "RegionOne", "url": "http://127.0.0.1:44405/v3", "region": "RegionOne"}], "id": "a748ecdb409443f595f1b35e56e3c8ff", "type": "identity", "name": "keystone"}, {"endpoints": [{"id": "60a01b32207f413797a51c9113a52f3a", "interface": "public", "region_id": "RegionOne", "url": "http://127.0.0.1:18774/v2.1", "region": "RegionOne"}, {"id": "78834b7e19e9497e8d1133c683b0ffca", "interface": "internal", "region_id": "RegionOne", "url": "http://10.0.0.5:8774/v2.1/", "region": "RegionOne"}, {"id": "99", "interface": "public", "region_id": "RegionTwo", "url": "http://127.0.0.2:8774/v2.1", "region": "RegionTwo"}], "id": "2cbb54f7bd474393a68d722da585f9bc", "type": "compute", "name": "nova"}]}}
        """

    @Test func tokenExpiryProjectAndCatalogAreRead() throws {
        let token = try KeystoneToken(value: "gAAAA-token", body: Data(Self.recorded.utf8))
        #expect(token.expiresAt == Date(timeIntervalSince1970: 1_795_613_833))
        #expect(token.projectID == "45eb7e24bb9b4df799f6fee0a1e48b7b")
        #expect(token.catalog.services.map(\.type) == ["identity", "compute"])
        #expect("\(token.value)" == "<redacted>")
    }

    @Test func endpointIsChosenByInterfaceAndRegion() throws {
        let catalog = try KeystoneToken(value: "t", body: Data(Self.recorded.utf8)).catalog
        #expect(try catalog.endpoint(type: "compute", interface: "public", region: "RegionOne") == "http://127.0.0.1:18774/v2.1")
        #expect(try catalog.endpoint(type: "compute", interface: "public", region: "RegionTwo") == "http://127.0.0.2:8774/v2.1")
        #expect(try catalog.endpoint(type: "compute", interface: "internal", region: nil) == "http://10.0.0.5:8774/v2.1")
        #expect(throws: OpenStackConfigError.self) { try catalog.endpoint(type: "compute", interface: "admin", region: nil) }
        #expect(throws: OpenStackConfigError.self) { try catalog.endpoint(type: "image", interface: "public", region: nil) }
    }

    @Test func passwordRequestScopesToTheProjectAndApplicationCredentialDoesNot() throws {
        let password = try KeystoneToken.requestBody(
            for: .password(
                user: .init(name: "u", domainID: "default"), password: Secret("pw"), project: .init(name: "p", domainName: "D")))
        let passwordJSON = String(decoding: try #require(password), as: UTF8.self)
        #expect(passwordJSON.contains("\"scope\"") && passwordJSON.contains("\"password\":\"pw\""))
        let credential = try KeystoneToken.requestBody(
            for: .applicationCredential(id: "abc", name: nil, user: nil, secret: Secret("s")))
        let credentialJSON = String(decoding: try #require(credential), as: UTF8.self)
        #expect(credentialJSON.contains("application_credential") && !credentialJSON.contains("scope"))
    }

    @Test func apiErrorMessagesAreTakenFromNovaAndKeystoneBodies() {
        let nova =
            #"{"conflictingRequest": {"code": 409, "message": "Cannot 'start' instance x while it is in vm_state active"}}"#
        #expect(OpenStackError.message(from: Data(nova.utf8)) == "Cannot 'start' instance x while it is in vm_state active")
        let keystone =
            #"{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}"#
        #expect(OpenStackError.message(from: Data(keystone.utf8)) == "The request you have made requires authentication.")
        #expect(OpenStackError.message(from: Data("<html>Bad gateway</html>".utf8)) == "<html>Bad gateway</html>")
    }

    @Test func retryAfterIsHonouredUpToTheCap() {
        let http = OpenStackHTTP(maxRetryDelay: .seconds(10))
        #expect(http.retryDelay("2", attempt: 1) == .seconds(2))
        #expect(http.retryDelay("3600", attempt: 1) == .seconds(10))
        #expect(http.retryDelay(nil, attempt: 2) == .seconds(1))
    }
}
