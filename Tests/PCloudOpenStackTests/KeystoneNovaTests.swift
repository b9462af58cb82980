import Foundation
import PCloudModel
import PCloudTestSupport
import Testing

@testable import PCloudOpenStack

/// The whole path as in a real cloud: clouds.yaml → Keystone password auth → the catalog's
/// compute endpoint → Nova checking each token with keystonemiddleware.
@Suite(.serialized) struct KeystoneNovaTests {
    @Test func aCloudFromClouds_yamlBuildsAndDeletesAServerThroughKeystone() async throws {
        guard let pair = try await SharedKeystone.pair() else { return }
        let (keystone, nova) = (pair.keystone, pair.nova)
        let yaml = """
            clouds:
              test:
                auth:
                  auth_url: \(keystone.authURL)
                  username: admin
                  project_name: admin
                  user_domain_id: default
                  project_domain_id: default
                region_name: RegionOne
            """
        let cloud = try CloudsYAML.parse(yaml, cloud: "test", environment: ["OS_PASSWORD": keystone.adminPassword])
        let client = NovaClient(auth: OpenStackAuth(cloud: cloud, http: OpenStackHTTP()))
        let infrastructure = OpenStackInfrastructure(
            nova: client,
            settings: OpenStackGuestSettings(
                flavor: nova.flavorID, defaultImage: nova.imageID, networks: [nova.networkID], schedule: SharedNova.fast))
        let spec = GuestSpec(name: GuestName(deployable: "kd", assembly: "a1"), deployableUUID: UUID().uuidString)
        let info = try await infrastructure.start(spec)
        #expect(info.power == .running)
        #expect(try await infrastructure.guests(of: "kd").map(\.id) == [info.id])
        try await infrastructure.remove(spec.name)
        #expect(try await client.server(info.id) == nil)
    }

    @Test func novaRefusingARevokedTokenMakesTheClientReauthenticateOnce() async throws {
        guard let keystone = try await SharedKeystone.pair()?.keystone else { return }
        let http = OpenStackHTTP()
        let auth = OpenStackAuth(cloud: KeystoneAuthTests.passwordCloud(keystone), http: http)
        let client = NovaClient(auth: auth, http: http)
        _ = try await client.servers(metadata: [:])
        let (_, headers) = try await auth.authorize(service: "compute")
        var revoke = headers
        revoke.add(name: "X-Subject-Token", value: headers.first(name: "X-Auth-Token") ?? "")
        _ = try await http.send(.DELETE, keystone.authURL + "/auth/tokens", headers: revoke)
        _ = try await client.servers(metadata: [:])  // 401 from Nova, a new token, then 200
        #expect(await auth.tokensIssued == 2)
    }

    @Test func novaWithoutATokenAnswers401WithItsMessage() async throws {
        guard let nova = try await SharedKeystone.pair()?.nova else { return }
        do {
            _ = try await OpenStackHTTP().send(.GET, nova.computeURL + "/servers", headers: ["X-Auth-Token": "not-a-token"])
            Issue.record("Nova accepted a bogus token")
        } catch let error as OpenStackError {
            #expect(error.status == 401 && error.path == "/v2.1/servers")
            #expect(error.message == "The request you have made requires authentication.")
        }
    }
}
