import PCloudModel
import PCloudPolicy
import PCloudStore

/// A reload that changes how a running resource is monitored (its monitor interval or timeout, or
/// its definition otherwise, such as an exec monitor command) takes effect at once: the recurring
/// monitor, which holds the definition it was scheduled with, is scheduled again with the new one.
/// The resource is not restarted and its failure history stays.
extension Engine {
    /// Called by `reload` after `policy` is the new one; `old` holds the previous definitions.
    func rescheduleChangedMonitors(old: [ResourceID: Resource]) async {
        var events: [StoredEvent] = []
        for id in runtime.resources.keys.sorted(by: { $0.description < $1.description }) {
            guard let resource = runtime.resources[id], resource.monitoring, tasks[.monitor(id)] != nil,
                let previous = old[id], let definition = policy.resourceDefinition(for: id), previous != definition,
                let incarnation = runtime.assemblies[id.assembly]?.incarnation
            else { continue }
            let arguments = OperationArguments(
                parameters: resource.appliedParameters ?? [:], timeout: definition.monitor.timeout,
                interval: definition.monitor.interval, incarnation: incarnation)
            recurringMonitor(id, arguments)
            events.append(
                StoredEvent(
                    at: clock.now, deployable: name, assembly: id.assembly, resource: id.resource,
                    kind: "resource.monitor-changed",
                    message:
                        "\(id)'s definition changed: its monitor runs every \(DurationText.format(definition.monitor.interval)) "
                        + "(timeout \(DurationText.format(definition.monitor.timeout))) with the new definition"))
        }
        if !events.isEmpty { _ = try? await publish(events) }
    }
}
