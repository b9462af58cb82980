import CLibvirt

/// A domain lifecycle event as libvirt reported it (VIR_DOMAIN_EVENT_ID_LIFECYCLE).
public struct DomainLifecycleEvent: Sendable, Hashable {
    public var domain: String
    public var change: LifecycleChange
}

/// What happened to a domain, from libvirt's event type and detail.
public enum LifecycleChange: Sendable, Hashable {
    case defined, undefined, started, resumed, suspended
    /// The guest began shutting down by itself; `stopped(.shutdown)` follows when it is off.
    case shuttingDown
    case stopped(StopReason)
    /// The guest OS panicked (QEMU pvpanic); libvirt may keep, restart or destroy it.
    case crashed
    case other(event: Int32, detail: Int32)

    public enum StopReason: String, Sendable, Hashable {
        /// Shut down by the guest or a graceful request.
        case shutdown
        /// Forced off (virDomainDestroy, `virsh destroy`).
        case destroyed
        /// The QEMU process died (killed, crashed): libvirt calls this "failed".
        case failed
        /// The guest crashed and libvirt's on_crash policy stopped it.
        case crashed
        case migrated, saved, snapshot, other
    }

    init(event: Int32, detail: Int32) {
        let d = UInt32(bitPattern: detail)
        switch UInt32(bitPattern: event) {
        case VIR_DOMAIN_EVENT_DEFINED.rawValue: self = .defined
        case VIR_DOMAIN_EVENT_UNDEFINED.rawValue: self = .undefined
        case VIR_DOMAIN_EVENT_STARTED.rawValue: self = .started
        case VIR_DOMAIN_EVENT_RESUMED.rawValue: self = .resumed
        case VIR_DOMAIN_EVENT_SUSPENDED.rawValue, VIR_DOMAIN_EVENT_PMSUSPENDED.rawValue: self = .suspended
        case VIR_DOMAIN_EVENT_SHUTDOWN.rawValue: self = .shuttingDown
        case VIR_DOMAIN_EVENT_CRASHED.rawValue: self = .crashed
        case VIR_DOMAIN_EVENT_STOPPED.rawValue:
            switch d {
            case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN.rawValue: self = .stopped(.shutdown)
            case VIR_DOMAIN_EVENT_STOPPED_DESTROYED.rawValue: self = .stopped(.destroyed)
            case VIR_DOMAIN_EVENT_STOPPED_CRASHED.rawValue: self = .stopped(.crashed)
            case VIR_DOMAIN_EVENT_STOPPED_FAILED.rawValue: self = .stopped(.failed)
            case VIR_DOMAIN_EVENT_STOPPED_MIGRATED.rawValue: self = .stopped(.migrated)
            case VIR_DOMAIN_EVENT_STOPPED_SAVED.rawValue: self = .stopped(.saved)
            case VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT.rawValue: self = .stopped(.snapshot)
            default: self = .stopped(.other)
            }
        default: self = .other(event: event, detail: detail)
        }
    }
}
