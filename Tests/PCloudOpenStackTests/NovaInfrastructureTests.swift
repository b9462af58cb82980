import Foundation
import PCloudModel
import PCloudTestSupport
import Testing

@testable import PCloudOpenStack

/// The OpenStack driver against the real Nova API (fake virt driver) over HTTP.
@Suite struct NovaInfrastructureTests {
    @Test func startBuildsAMarkedServerThatBecomesActiveWithAnAddress() async throws {
        guard let nova = try await SharedNova.nova() else { return }
        let infrastructure = SharedNova.infrastructure(nova)
        let spec = SharedNova.spec()
        let info = try await infrastructure.start(spec)
        #expect(info.power == .running)
        #expect(info.address?.hasPrefix("192.168.1.") == true)
        let server = try #require(try await infrastructure.nova.server(info.id))
        #expect(server.status == "ACTIVE")
        #expect(server.name == "pcloud-\(spec.name.deployable)-web")
        #expect(server.metadata["pcloud_deployable"] == spec.name.deployable)
        #expect(server.metadata["pcloud_assembly"] == "web")
        #expect(server.metadata["pcloud_uuid"] == spec.deployableUUID)
        try await infrastructure.remove(spec.name)
    }

    @Test func aRestartedControllerAdoptsItsServersInsteadOfStartingCopies() async throws {
        guard let nova = try await SharedNova.nova() else { return }
        let spec = SharedNova.spec()
        let first = try await SharedNova.infrastructure(nova).start(spec)
        // A new driver instance (a restarted controller) finds the server by its metadata.
        let restarted = SharedNova.infrastructure(nova)
        let adopted = try await restarted.guests(of: spec.name.deployable)
        #expect(adopted.map(\.id) == [first.id])
        #expect(adopted.first?.name == spec.name)
        let again = try await restarted.start(spec)
        #expect(again.id == first.id)
        #expect(try await restarted.guests(of: spec.name.deployable).count == 1)
        #expect(try await restarted.guests(of: nil).contains { $0.id == first.id })
        try await restarted.remove(spec.name)
    }

    @Test func fenceConfirmsTheServerIsOffAndStartBringsItBack() async throws {
        guard let nova = try await SharedNova.nova() else { return }
        let infrastructure = SharedNova.infrastructure(nova)
        let spec = SharedNova.spec()
        let info = try await infrastructure.start(spec)
        try await infrastructure.fence(spec.name)
        #expect(try await infrastructure.nova.server(info.id)?.status == "SHUTOFF")
        #expect(try await infrastructure.guests(of: spec.name.deployable).first?.power == .stopped)
        try await infrastructure.fence(spec.name)  // fencing an off guest is a no-op
        let restarted = try await infrastructure.start(spec)
        #expect(restarted.id == info.id)
        #expect(restarted.power == .running)
        try await infrastructure.stop(spec.name, grace: .seconds(5))
        #expect(try await infrastructure.nova.server(info.id)?.status == "SHUTOFF")
        try await infrastructure.remove(spec.name)
    }

    @Test func fencingDuringAHardRebootWaitsOutTheConflictAndStopsTheServer() async throws {
        guard let nova = try await SharedNova.nova() else { return }
        let infrastructure = SharedNova.infrastructure(nova)
        let spec = SharedNova.spec(assembly: NovaProcess.slowRebootMark)
        let info = try await infrastructure.start(spec)
        try await infrastructure.nova.reboot(info.id, .hard)
        // During the reboot Nova refuses os-stop...
        await #expect(throws: OpenStackError.self) { try await infrastructure.nova.stop(info.id) }
        // ...and fencing waits the reboot out and stops the server.
        try await infrastructure.fence(spec.name)
        // Stopped, not deleted: the conflict was waited out rather than ending in the delete fallback.
        #expect(try await infrastructure.nova.server(info.id)?.status == "SHUTOFF")
        try await infrastructure.remove(spec.name)
    }

    @Test func removeDeletesTheServerUntilNovaAnswers404() async throws {
        guard let nova = try await SharedNova.nova() else { return }
        let infrastructure = SharedNova.infrastructure(nova)
        let spec = SharedNova.spec()
        let info = try await infrastructure.start(spec)
        try await infrastructure.remove(spec.name)
        #expect(try await infrastructure.nova.server(info.id) == nil)
        #expect(try await infrastructure.guests(of: spec.name.deployable).isEmpty)
        try await infrastructure.remove(spec.name)  // removing a removed guest is a no-op
    }

    @Test func aFailedBuildReportsNovasFaultMessage() async throws {
        guard let nova = try await SharedNova.nova() else { return }
        let infrastructure = SharedNova.infrastructure(nova)
        let spec = SharedNova.spec(assembly: NovaProcess.failBuildMark)
        do {
            _ = try await infrastructure.start(spec)
            Issue.record("a build the fake driver failed was reported as started")
        } catch let error as NovaServerFailed {
            #expect(error.fault.contains("build failure injected by the harness"))
        }
        #expect(try await infrastructure.guests(of: spec.name.deployable).first?.power == .crashed)
        try await infrastructure.remove(spec.name)
    }

    @Test func eventsReportAServerStoppedBehindPcloudsBack() async throws {
        guard let nova = try await SharedNova.nova() else { return }
        let infrastructure = SharedNova.infrastructure(nova)
        let spec = SharedNova.spec()
        let info = try await infrastructure.start(spec)
        let events = infrastructure.events()
        try await infrastructure.nova.stop(info.id)
        let event = try await withThrowingTaskGroup(of: GuestEvent?.self) { group in
            group.addTask {
                for await event in events where event.name == spec.name && event.power == .stopped { return event }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        #expect(event?.reason == "shut down")
        try await infrastructure.remove(spec.name)
    }
}
