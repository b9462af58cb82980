import Foundation
import PCloudModel
import PCloudTestSupport
import Testing

@testable import PCloudOpenStack

/// Every deployable on one cloud is served by one server watch: one listing per interval for all
/// of them, each subscriber with its own stream of its own deployable's servers.
@Suite struct SharedServerWatchTests {
    /// The harness's cloud as cped would be configured for it, its compute endpoint behind `proxy`.
    static func cloud(_ nova: NovaProcess, through proxy: CountingProxy) -> OpenStackCloud {
        OpenStackCloud(
            name: "harness", authURL: nil,
            auth: .noAuth(user: "admin", projectID: nova.projectID, roles: ["admin", "member", "reader"]),
            computeEndpointOverride: "http://127.0.0.1:\(proxy.port)/v2.1")
    }

    static func settings(_ nova: NovaProcess, interval: Duration) -> OpenStackGuestSettings {
        OpenStackGuestSettings(
            flavor: nova.flavorID, images: ["debian12": nova.imageID], networks: [nova.networkID], schedule: SharedNova.fast,
            eventInterval: interval)
    }

    @Test func twoDeployablesOnOneCloudCostOneServerListing() async throws {
        guard let nova = try await SharedNova.nova() else { return }
        let direct = SharedNova.infrastructure(nova)
        let first = SharedNova.spec()
        let second = SharedNova.spec()
        for spec in [first, second] {
            _ = try await direct.start(spec)
            try await direct.stop(spec.name, grace: .seconds(5))
        }
        // An interval far longer than the test: each watch lists exactly once, at its start.
        let proxy = try CountingProxy(to: nova.harness.port, counting: "GET /v2.1/servers/detail")
        let clouds = OpenStackClouds()
        let cloud = Self.cloud(nova, through: proxy)
        let settings = Self.settings(nova, interval: .seconds(3600))
        let firstLog = GuestEventLog(
            clouds.infrastructure(cloud: cloud, settings: settings, deployable: first.name.deployable).events())
        let secondLog = GuestEventLog(
            clouds.infrastructure(cloud: cloud, settings: settings, deployable: second.name.deployable).events())
        // Each is told at its first look that its own server is off: every listing has been made.
        #expect(await firstLog.first { $0.name == first.name && $0.power == .stopped } != nil)
        #expect(await secondLog.first { $0.name == second.name && $0.power == .stopped } != nil)
        #expect(proxy.count == 1, "server listings for two deployables on one cloud")
        #expect(firstLog.all.allSatisfy { $0.name.deployable == first.name.deployable })
        #expect(secondLog.all.allSatisfy { $0.name.deployable == second.name.deployable })
        firstLog.cancel()
        secondLog.cancel()
        for spec in [first, second] { try await direct.remove(spec.name) }
    }

    @Test func aStoppedServerReachesItsOwnDeployableOnlyAndOneLeavingEndsNoOtherStream() async throws {
        guard let nova = try await SharedNova.nova() else { return }
        let direct = SharedNova.infrastructure(nova)
        let first = SharedNova.spec()
        let second = SharedNova.spec()
        let firstServer = try await direct.start(first)
        let secondServer = try await direct.start(second)
        let proxy = try CountingProxy(to: nova.harness.port, counting: "GET /v2.1/servers/detail")
        let clouds = OpenStackClouds()
        let cloud = Self.cloud(nova, through: proxy)
        let settings = Self.settings(nova, interval: .milliseconds(300))
        let firstLog = GuestEventLog(
            clouds.infrastructure(cloud: cloud, settings: settings, deployable: first.name.deployable).events())
        let secondLog = GuestEventLog(
            clouds.infrastructure(cloud: cloud, settings: settings, deployable: second.name.deployable).events())

        // Stopped behind pcloud's back through the Nova API: its deployable hears of it.
        try await direct.nova.stop(firstServer.id)
        let stopped = await firstLog.first { $0.name == first.name && $0.power == .stopped }
        #expect(stopped?.reason == "shut down")

        // The first deployable's engine stops; the second's stream goes on.
        firstLog.cancel()
        try await direct.nova.stop(secondServer.id)
        #expect(await secondLog.first { $0.name == second.name && $0.power == .stopped } != nil)
        // And it never carried the other deployable's server.
        #expect(secondLog.all.allSatisfy { $0.name.deployable == second.name.deployable }, "\(secondLog.all)")
        secondLog.cancel()
        for spec in [first, second] { try await direct.remove(spec.name) }
    }
}
