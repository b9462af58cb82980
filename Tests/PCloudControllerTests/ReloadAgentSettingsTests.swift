import Foundation
import PCloudModel
import PCloudSimulation
import Testing

@testable import PCloudController

/// A reload that changes a running assembly's agent heartbeat says, in an event, that the running
/// guest's agent keeps its old settings until the guest restarts (the agent reads them at boot).
struct ReloadAgentSettingsTests {
    @Test func aChangedHeartbeatIsSaidToNeedAGuestRestart() async throws {
        var deployable = SimulatedWorld.deployable("dep", assemblies: ["db", "web"])
        deployable.monitor.method = .agent
        let world = try SimulatedWorld([deployable])
        let engines = world.engines()
        try await engines.start("dep")
        let running = try #require(try await world.state("running", of: "dep"))
        var changed = deployable
        changed.assemblies[0].agent = AgentSettings(heartbeat: .seconds(2), missedHeartbeats: 5)
        _ = try await world.controller.store.importDeployable(changed, replace: true)
        try await engines.reload("dep")
        _ = try #require(try await world.event(of: "dep", after: running.seq) { $0.kind == "deployable.reloaded" })
        let events = try await world.controller.store.eventsAsync(after: running.seq, deployable: "dep", limit: 1000)
        let notices = events.filter { $0.kind == "assembly.agent-settings" }
        #expect(notices.map(\.assembly) == ["db"], "\(events.map(\.message))")
        #expect(
            notices.first?.message
                == "db's agent settings changed from heartbeat 1s, 3 missed to heartbeat 2s, 5 missed: its running guest's "
                + "agent keeps heartbeat 1s, 3 missed until the guest restarts, which applies the new settings")
        #expect(world.monitor.count(.start, "dep", "db/store") == 1, "nothing was restarted")
        await engines.shutdown()
    }
}
