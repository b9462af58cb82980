import Foundation
import PCloudModel
import PCloudPolicy
import PCloudStore

/// Watching guests: liveness checks, infrastructure events, host-key pinning, reboots.
extension Engine {
    /// Liveness every `monitor.interval` while the guest is starting or running.
    func watch(_ assembly: String) {
        guard let endpoint = endpoint(for: assembly), let incarnation = runtime.assemblies[assembly]?.incarnation else { return }
        let settings = policy.deployable.monitor
        tasks[.watch(assembly)]?.cancel()
        tasks[.watch(assembly)] = Task { [monitor, inbox, name, clock] in
            var endpoint = endpoint
            if endpoint.hostKey == nil, let discovery = monitor as? any HostKeyDiscovery {
                // No key from the image build: record the first one seen and pin it from then on.
                while !Task.isCancelled {
                    if let key = try? await discovery.presentedHostKey(of: endpoint, timeout: settings.timeout) {
                        endpoint.hostKey = key
                        inbox.yield(.hostKey(assembly, key))
                        break
                    }
                    try? await clock.sleep(for: settings.interval)
                }
            }
            while !Task.isCancelled {
                let began = ContinuousClock.now
                let result = await monitor.liveness(of: endpoint, timeout: settings.timeout)
                EngineMetrics.duration((ContinuousClock.now - began).seconds, deployable: name, operation: "liveness")
                if Task.isCancelled { return }
                inbox.yield(.liveness(assembly, result, incarnation: incarnation))
                try? await clock.sleep(for: settings.interval)
            }
        }
    }

    func stopWatching(_ assembly: String) async {
        tasks.removeValue(forKey: .watch(assembly))?.cancel()
        await monitor.forget(GuestName(deployable: name, assembly: assembly))
    }

    /// A check's result goes to the policy, which judges it; a check that changes nothing (the
    /// guest answers as before) is not recorded, so steady monitoring writes nothing to the store.
    func liveness(_ assembly: String, _ result: Liveness, incarnation: Int) async {
        guard runtime.assemblies[assembly]?.incarnation == incarnation else { return }
        await handle(.livenessChecked(assembly, result, incarnation: incarnation))
    }

    func hostKeyRecorded(_ assembly: String, _ key: String) async {
        runtime.assemblies[assembly]?.hostKey = key
        await problem(
            assembly,
            "assembly \(assembly): no ssh host key was recorded when it was built; pinned \(HostKeyText.fingerprint(key)) at first contact",
            severity: .warning)
    }

    /// The infrastructure reported a guest's power; the policy decides whether it counts.
    func guestEvent(_ event: GuestEvent) async {
        await handle(.guestReported(event.name.assembly, event.power, reason: event.reason, source: infrastructure.kind))
    }

    func problem(_ assembly: String, _ message: String, severity: StoredEvent.Severity = .warning) async {
        _ = try? await publish([
            StoredEvent(
                at: clock.now, deployable: name, assembly: assembly, kind: "assembly.problem", severity: severity,
                message: message)
        ])
    }

    /// After a controller restart: fencing and stopping that were in flight are issued again, and
    /// guests being reached are watched again.
    func reissuePending() async {
        for assembly in policy.deployable.assemblies.map(\.name) {
            switch runtime.assemblies[assembly]?.pending {
            case .fence?: await execute(PlannedAction(.fenceAssembly(assembly), "fencing again after a controller restart"))
            case .stop?: await execute(PlannedAction(.stopAssembly(assembly), "stopping again after a controller restart"))
            default:
                if runtime.assemblies[assembly]?.state == .starting { watch(assembly) }
            }
        }
        await handle(.tick)
    }
}
