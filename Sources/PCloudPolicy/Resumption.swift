import PCloudModel

/// After a controller restart: the runtime as it was saved, reconciled with the guests the
/// infrastructure reports, before anything is acted on. Nothing healthy is restarted: running guests
/// are adopted (and reached again), resources are probed rather than started, failure history is
/// kept. Operations that were in flight when the controller died have unknown outcomes: a resource's
/// start or stop may still be running in its guest, so it is waited out until its timeout and then
/// probed (a probe, which changes nothing, is simply forgotten); fencing and stopping a guest are
/// issued again (both are idempotent).
public enum Resumption {
    public static func resume(_ saved: DeployableRuntime, guests: [String: GuestPower]) -> DeployableRuntime {
        var runtime = saved
        for (name, var assembly) in runtime.assemblies {
            let power = guests[name] ?? .absent
            switch assembly.pending {
            case .fence, .stop:
                break  // issued again by the engine
            case .start:
                assembly.pending = nil
                assembly.state = power == .running ? .starting : .unknown
            case nil:
                switch assembly.state {
                case .running, .starting:
                    // Adopt a live guest; one that vanished while we were away has failed.
                    assembly.state = power == .running || power == .starting ? .starting : .unreachable
                case .unknown, .stopped:
                    // A guest we did not start (or thought stopped) but that runs: adopt it.
                    if power == .running, runtime.desired == .running { assembly.state = .starting }
                case .unreachable, .failed:
                    break
                }
            }
            if assembly.state == .starting {
                // Reached again from scratch: a fresh boot timeout, no uptime to compare with.
                assembly.startedAt = nil
                assembly.uptime = nil
            }
            runtime.assemblies[name] = assembly
        }
        for (id, var resource) in runtime.resources {
            if let action = resource.pending, action == .start || action == .stop, let deadline = resource.pendingDeadline {
                // It may still be running in the guest: wait it out, then probe (Plan.reconcileInterrupted).
                resource.interrupted = InterruptedOperation(action: action, until: deadline)
            }
            resource.pending = nil
            resource.pendingDeadline = nil
            resource.monitoring = false
            if !resource.state.isParked && !(resource.disabled && resource.state == .stopped) { resource.state = .unknown }
            runtime.resources[id] = resource
        }
        return runtime
    }
}
