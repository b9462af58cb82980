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
        tasks["watch:\(assembly)"]?.cancel()
        tasks["watch:\(assembly)"] = Task { [monitor, inbox, name] in
            var endpoint = endpoint
            if endpoint.hostKey == nil, let discovery = monitor as? any HostKeyDiscovery {
                // No key from the image build: record the first one seen and pin it from then on.
                while !Task.isCancelled {
                    if let key = try? await discovery.presentedHostKey(of: endpoint, timeout: settings.timeout) {
                        endpoint.hostKey = key
                        inbox.yield(.hostKey(assembly, key))
                        break
                    }
                    try? await Task.sleep(for: settings.interval)
                }
            }
            while !Task.isCancelled {
                let began = ContinuousClock.now
                let result = await monitor.liveness(of: endpoint, timeout: settings.timeout)
                EngineMetrics.duration((ContinuousClock.now - began).seconds, deployable: name, operation: "liveness")
                if Task.isCancelled { return }
                inbox.yield(.liveness(assembly, result, incarnation: incarnation))
                try? await Task.sleep(for: settings.interval)
            }
        }
    }

    func stopWatching(_ assembly: String) {
        tasks.removeValue(forKey: "watch:\(assembly)")?.cancel()
        lastUptime[assembly] = nil
        let guest = GuestName(deployable: name, assembly: assembly)
        Task { [monitor] in await monitor.forget(guest) }
    }

    func liveness(_ assembly: String, _ result: Liveness, incarnation: Int) async {
        guard let state = runtime.assemblies[assembly], state.incarnation == incarnation else { return }
        switch result {
        case .alive(let uptime, let bootID):
            let previousUptime = lastUptime[assembly]
            lastUptime[assembly] = uptime
            if state.state == .starting {
                runtime.assemblies[assembly]?.bootID = bootID
                await handle(.assemblyReachable(assembly))
            } else if state.state == .running {
                if let bootID, let known = state.bootID, bootID != known {
                    await handle(.assemblyLost(assembly, reason: "it rebooted behind our back (new boot id)"))
                } else if let previousUptime, uptime < previousUptime {
                    await handle(
                        .assemblyLost(
                            assembly, reason: "it rebooted behind our back (uptime went down to \(DurationText.format(uptime)))"))
                }
            }
        case .unreachable(let reason):
            if state.state == .running {
                await handle(.assemblyLost(assembly, reason: "liveness check failed: \(reason)"))
            } else if state.state == .starting, let since = startedAt[assembly], clock() - since > bootTimeout.seconds {
                await handle(
                    .assemblyLost(
                        assembly, reason: "not reachable \(DurationText.format(bootTimeout)) after it was started: \(reason)"))
            }
        case .hostKeyMismatch(let expected, let presented):
            await problem(
                assembly,
                "assembly \(assembly) presented ssh host key \(Self.fingerprint(presented)), not the pinned \(Self.fingerprint(expected)): refused, treated as unreachable",
                severity: .error)
            if state.state == .running || state.state == .starting {
                await handle(.assemblyLost(assembly, reason: "its ssh host key does not match the pinned one"))
            }
        }
    }

    static func fingerprint(_ key: String) -> String {
        let parts = key.split(separator: " ")
        guard parts.count >= 2 else { return String(key.prefix(20)) }
        return "\(parts[0]) …\(parts[1].suffix(12))"
    }

    func hostKeyRecorded(_ assembly: String, _ key: String) async {
        runtime.assemblies[assembly]?.hostKey = key
        await problem(
            assembly,
            "assembly \(assembly): no ssh host key was recorded when it was built; pinned \(Self.fingerprint(key)) at first contact",
            severity: .warning)
    }

    /// The infrastructure reported a guest crash, destroy or stop.
    func guestEvent(_ event: GuestEvent) async {
        let assembly = event.name.assembly
        guard let state = runtime.assemblies[assembly], state.pending == nil,
            state.state == .running || state.state == .starting,
            [.crashed, .stopped, .absent].contains(event.power)
        else { return }
        await handle(.assemblyLost(assembly, reason: "\(infrastructure.kind) reports the guest \(event.reason)"))
    }

    func problem(_ assembly: String, _ message: String, severity: StoredEvent.Severity = .warning) async {
        _ = try? await controller.publish([
            StoredEvent(
                at: clock(), deployable: name, assembly: assembly, kind: "assembly.problem", severity: severity, message: message)
        ])
    }

    /// After a controller restart: fencing and stopping that were in flight are issued again, and
    /// guests being reached are watched again.
    func reissuePending() async {
        for assembly in policy.deployable.assemblies.map(\.name) {
            switch runtime.assemblies[assembly]?.pending {
            case .fence?: execute(PlannedAction(.fenceAssembly(assembly), "fencing again after a controller restart"))
            case .stop?: execute(PlannedAction(.stopAssembly(assembly), "stopping again after a controller restart"))
            default:
                if runtime.assemblies[assembly]?.state == .starting {
                    startedAt[assembly] = clock()
                    watch(assembly)
                }
            }
        }
        await handle(.tick)
    }
}
