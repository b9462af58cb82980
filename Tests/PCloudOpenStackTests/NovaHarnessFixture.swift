import Foundation
import PCloudModel
import PCloudOpenStack
import PCloudTestSupport

/// One real Nova (Tests/NovaHarness/nova_server.py) shared by the tests of this target: it
/// starts on first use and exits with the test process.
enum SharedNova {
    static let started = Task { try await onOwnThread { try NovaProcess() } }

    /// The running Nova, or nil with the reason it cannot run here (the venv is not installed).
    static func nova() async throws -> NovaProcess? {
        if let reason = NovaProcess.missing {
            print("skipping: \(reason)")
            return nil
        }
        return try await started.value
    }

    /// A client on the harness's stubbed-keystone pipeline, in the fixtures' project.
    static func client(_ nova: NovaProcess) -> NovaClient {
        let cloud = OpenStackCloud(
            name: "harness", authURL: nil,
            auth: .noAuth(user: "admin", projectID: nova.projectID, roles: ["admin", "member", "reader"]),
            computeEndpointOverride: nova.computeURL)
        return NovaClient(auth: OpenStackAuth(cloud: cloud, http: OpenStackHTTP()))
    }

    static let fast = PollSchedule(initial: .milliseconds(100), factor: 1.5, maximum: .seconds(1), timeout: .seconds(120))

    static func infrastructure(_ nova: NovaProcess) -> OpenStackInfrastructure {
        OpenStackInfrastructure(
            nova: client(nova),
            settings: OpenStackGuestSettings(
                flavor: nova.flavorID, images: ["debian12": nova.imageID], networks: [nova.networkID], schedule: fast,
                eventInterval: .milliseconds(300)))
    }

    /// A guest of a deployable no other test uses.
    static func spec(assembly: String = "web") -> GuestSpec {
        let deployable = "d\(UUID().uuidString.prefix(8).lowercased())"
        return GuestSpec(
            name: GuestName(deployable: deployable, assembly: assembly), deployableUUID: UUID().uuidString, image: "debian12",
            authorizedKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPcloudTestKey pcloud")
    }
}
