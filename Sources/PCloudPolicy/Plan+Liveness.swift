import PCloudModel

/// What a liveness check or an infrastructure report means for an assembly. These verdicts were the
/// engine's own; here they are decisions like the rest, replayable in scenario tests: a reboot seen
/// by a new boot id or an uptime that went down, a guest that stays unreachable past its boot
/// timeout, a host key that does not match the pinned one, which power reports count.
extension Plan {
    mutating func livenessChecked(_ name: String, _ result: Liveness, incarnation: Int) {
        // A result from before the guest was last fenced or stopped says nothing about this one.
        guard let assembly = runtime.assemblies[name], assembly.incarnation == incarnation else { return }
        switch result {
        case .alive(let uptime, let bootID):
            let previous = assembly.uptime
            runtime.assemblies[name]?.uptime = uptime.seconds
            if assembly.state == .starting {
                runtime.assemblies[name]?.bootID = bootID
                assemblyReachable(name)
            } else if assembly.state == .running {
                if let bootID, let known = assembly.bootID, bootID != known {
                    assemblyLost(name, reason: "it rebooted behind our back (new boot id)")
                } else if let previous, uptime.seconds < previous {
                    assemblyLost(
                        name, reason: "it rebooted behind our back (uptime went down to \(DurationText.format(uptime)))")
                }
            } else if assembly.state == .unreachable, assembly.pending == nil, runtime.heldBy(assembly: name) != nil {
                heldAssemblyBack(name, bootID: bootID)
            }
        case .unreachable(let reason):
            if assembly.state == .running {
                assemblyLost(name, reason: "liveness check failed: \(reason)")
            } else if assembly.state == .starting {
                // A guest adopted after a controller restart has no start time: its boot timeout
                // runs from the first check that did not reach it.
                guard let since = assembly.startedAt else {
                    runtime.assemblies[name]?.startedAt = now
                    return
                }
                if now - since > policy.bootTimeout.seconds {
                    assemblyLost(
                        name, reason: "not reachable \(DurationText.format(policy.bootTimeout)) after it was started: \(reason)")
                }
            }
        case .hostKeyMismatch(let expected, let presented):
            add(
                .hostKeyRefused(name),
                "assembly \(name) presented ssh host key \(HostKeyText.fingerprint(presented)), not the pinned "
                    + "\(HostKeyText.fingerprint(expected)): refused, treated as unreachable")
            if assembly.state == .running || assembly.state == .starting {
                assemblyLost(name, reason: "its ssh host key does not match the pinned one")
            }
        }
    }

    /// The infrastructure reported a guest's power: only a guest we expect up that is reported
    /// crashed, stopped or gone counts, and not while we fence or stop it ourselves.
    mutating func guestReported(_ name: String, _ power: GuestPower, reason: String, source: String) {
        guard let assembly = runtime.assemblies[name], assembly.pending == nil,
            assembly.state == .running || assembly.state == .starting,
            [.crashed, .stopped, .absent].contains(power)
        else { return }
        assemblyLost(name, reason: "\(source) reports the guest \(reason)")
    }
}

/// Host keys as the event log shows them: type and the key's last characters.
public enum HostKeyText {
    public static func fingerprint(_ key: String) -> String {
        let parts = key.split(separator: " ")
        guard parts.count >= 2 else { return String(key.prefix(20)) }
        return "\(parts[0]) …\(parts[1].suffix(12))"
    }
}
