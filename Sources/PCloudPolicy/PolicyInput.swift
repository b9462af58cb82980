import PCloudModel

/// What happened: operator requests, infrastructure results, monitor results, time passing.
public enum PolicyInput: Sendable, Equatable {
    /// The operator starts the deployable (clears a failed state).
    case start
    /// The operator stops it.
    case stop
    /// The infrastructure started the guest (or found it running); the monitor must reach it next.
    case assemblyStarted(String, address: String?, hostname: String?)
    /// The infrastructure could not start it.
    case assemblyStartFailed(String, reason: String)
    /// The monitor reached the guest.
    case assemblyReachable(String)
    /// The guest stopped answering, crashed, was destroyed or rebooted behind our back.
    case assemblyLost(String, reason: String)
    /// Fencing confirmed the old guest off.
    case assemblyFenced(String)
    /// A graceful stop finished.
    case assemblyStopped(String)
    /// A resource operation finished (monitor results included).
    case operationCompleted(ResourceID, ResourceAction, OCFExitCode, incarnation: Int, detail: String?)
    /// A liveness check's result for the guest's `incarnation` (the policy judges reboots, boot
    /// timeouts and host-key mismatches from it).
    case livenessChecked(String, Liveness, incarnation: Int)
    /// The infrastructure (`source`: libvirt, openstack, ...) reported the guest's power.
    case guestReported(String, GuestPower, reason: String, source: String)
    /// Time passed: backoff delays may have run out.
    case tick
    /// The operator clears a blocked or unrecoverable resource and its failures (crm_resource --cleanup).
    case cleanup(ResourceID)
    /// The operator puts an element into maintenance (unmanaged), until a time (seconds since 1970) or for good.
    case maintenanceOn(MaintenanceElement, until: Double?)
    /// The operator takes it out of maintenance: it is probed again, then managed.
    case maintenanceOff(MaintenanceElement)
}
