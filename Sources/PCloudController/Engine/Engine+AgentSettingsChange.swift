import PCloudModel
import PCloudStore

/// A reload that changes a running assembly's agent settings (`agent: {heartbeat, missed-heartbeats}`)
/// does not reach the agent already running in its guest: the agent reads them from the file seeded
/// at the guest's start, and pcloud's liveness watch of that guest keeps the settings it began with.
/// Both take the new settings at the guest's next start; the event says so.
extension Engine {
    func agentSettingsChanges(from old: Deployable, to new: Deployable) -> [StoredEvent] {
        guard new.monitor.method == .agent else { return [] }
        return new.assemblies.compactMap { assembly in
            guard let previous = old.assembly(named: assembly.name)?.agent, previous != assembly.agent,
                runtime.assemblies[assembly.name]?.state == .running
            else { return nil }
            return StoredEvent(
                at: clock.now, deployable: name, assembly: assembly.name, kind: "assembly.agent-settings",
                message: "\(assembly.name)'s agent settings changed from \(Self.text(previous)) to \(Self.text(assembly.agent)): "
                    + "its running guest's agent keeps \(Self.text(previous)) until the guest restarts, which applies the new settings"
            )
        }
    }

    static func text(_ settings: AgentSettings) -> String {
        "heartbeat \(DurationText.format(settings.heartbeat)), \(settings.missedHeartbeats) missed"
    }
}
