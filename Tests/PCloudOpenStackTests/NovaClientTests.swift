import Foundation
import PCloudModel
import PCloudTestSupport
import Testing

@testable import PCloudOpenStack

/// Nova calls the driver does not reach through `Infrastructure`, and API errors, against real Nova.
@Suite struct NovaClientTests {
    func activeServer(_ nova: NovaProcess, _ client: NovaClient) async throws -> String {
        let id = try await client.create(
            NovaServerRequest(
                name: "pcloud-client-test", imageRef: nova.imageID, flavorRef: nova.flavorID, networks: [nova.networkID],
                userData: "#cloud-config\n", metadata: ["pcloud_deployable": "client-test-\(UUID().uuidString.prefix(6))"]))
        _ = try await client.wait(id, for: ["ACTIVE"], schedule: SharedNova.fast)
        return id
    }

    @Test func softAndHardRebootAndRebuildReturnTheServerToActive() async throws {
        guard let nova = try await SharedNova.nova() else { return }
        let client = SharedNova.client(nova)
        let id = try await activeServer(nova, client)
        for type in [NovaClient.RebootType.soft, .hard] {
            try await client.reboot(id, type)
            #expect(try await client.wait(id, for: ["ACTIVE"], schedule: SharedNova.fast).status == "ACTIVE")
        }
        try await client.rebuild(id, imageRef: nova.imageID)
        #expect(try await client.wait(id, for: ["ACTIVE"], schedule: SharedNova.fast).status == "ACTIVE")
        try await client.delete(id)
        try await client.waitUntilGone(id, schedule: SharedNova.fast)
    }

    @Test func aConflictingActionIsAnErrorWithMethodPathStatusAndNovasMessage() async throws {
        guard let nova = try await SharedNova.nova() else { return }
        let client = SharedNova.client(nova)
        let id = try await activeServer(nova, client)
        do {
            try await client.start(id)  // it is already running
            Issue.record("os-start on an ACTIVE server was accepted")
        } catch let error as OpenStackError {
            #expect(error.method == "POST")
            #expect(error.path == "/v2.1/servers/\(id)/action")
            #expect(error.status == 409 && error.isConflict)
            #expect(error.message.contains("Cannot 'start' instance"))
            #expect("\(error)".contains("POST /v2.1/servers/\(id)/action: 409: Cannot 'start' instance"))
        }
        try await client.delete(id)
        try await client.waitUntilGone(id, schedule: SharedNova.fast)
    }

    @Test func aMissingServerIsNilToReadAnd404ToActOn() async throws {
        guard let nova = try await SharedNova.nova() else { return }
        let client = SharedNova.client(nova)
        let missing = UUID().uuidString.lowercased()
        #expect(try await client.server(missing) == nil)
        try await client.delete(missing)  // deleting what is gone is done
        await #expect(throws: OpenStackError.self) { try await client.reboot(missing, .hard) }
        do { try await client.stop(missing) } catch let error as OpenStackError {
            #expect(error.status == 404 && error.message.contains(missing))
        }
    }

    @Test func requestsWithoutCredentialsAreRejectedWithTheStatus() async throws {
        guard let nova = try await SharedNova.nova() else { return }
        let http = OpenStackHTTP()
        do {
            _ = try await http.send(.GET, nova.computeURL + "/servers")
            Issue.record("an unauthenticated request was accepted")
        } catch let error as OpenStackError {
            #expect(error.method == "GET" && error.path == "/v2.1/servers")
            #expect(error.status >= 400)
        }
    }
}
