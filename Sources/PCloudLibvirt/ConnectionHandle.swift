import CLibvirt

/// Owns one virConnectPtr and the callbacks registered on it; deinit deregisters them and closes
/// the connection. Not Sendable: only its `LibvirtConnection` actor touches it, on its thread.
final class ConnectionHandle {
    let pointer: OpaquePointer
    private var lifecycleCallback: Int32 = -1
    private var closeCallbackRegistered = false

    init(uri: String, hub: LibvirtEventHub) throws {
        guard let pointer = virConnectOpen(uri) else { throw LibvirtError.last("open \(uri)") }
        self.pointer = pointer
        let lifecycleOpaque = Unmanaged.passRetained(hub).toOpaque()
        lifecycleCallback = virConnectDomainEventRegisterAny(
            pointer, nil, Int32(VIR_DOMAIN_EVENT_ID_LIFECYCLE.rawValue),
            unsafeBitCast(lifecycleCallbackFunction, to: virConnectDomainEventGenericCallback.self),
            lifecycleOpaque, releaseHub)
        if lifecycleCallback < 0 {
            let error = LibvirtError.last("register lifecycle events on \(uri)")
            Unmanaged<LibvirtEventHub>.fromOpaque(lifecycleOpaque).release()
            throw error
        }
        let closeOpaque = Unmanaged.passRetained(hub).toOpaque()
        if virConnectRegisterCloseCallback(pointer, closeCallbackFunction, closeOpaque, releaseHub) == 0 {
            closeCallbackRegistered = true
        } else {
            Unmanaged<LibvirtEventHub>.fromOpaque(closeOpaque).release()
        }
        // Notices a dead or hung libvirtd on remote connections; drivers without it refuse: fine.
        _ = virConnectSetKeepAlive(pointer, 5, 3)
    }

    var isAlive: Bool { virConnectIsAlive(pointer) == 1 }

    deinit {
        if lifecycleCallback >= 0 { _ = virConnectDomainEventDeregisterAny(pointer, lifecycleCallback) }
        if closeCallbackRegistered { _ = virConnectUnregisterCloseCallback(pointer, closeCallbackFunction) }
        virConnectClose(pointer)
    }
}

private let releaseHub: virFreeCallback = { opaque in
    guard let opaque else { return }
    Unmanaged<LibvirtEventHub>.fromOpaque(opaque).release()
}

private let lifecycleCallbackFunction:
    @convention(c) (OpaquePointer?, OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = {
        _, domain, event, detail, opaque in
        guard let domain, let opaque, let name = virDomainGetName(domain) else { return 0 }
        let hub = Unmanaged<LibvirtEventHub>.fromOpaque(opaque).takeUnretainedValue()
        hub.publish(DomainLifecycleEvent(domain: String(cString: name), change: LifecycleChange(event: event, detail: detail)))
        return 0
    }

private let closeCallbackFunction: virConnectCloseFunc = { _, reason, opaque in
    guard let opaque else { return }
    Unmanaged<LibvirtEventHub>.fromOpaque(opaque).takeUnretainedValue().closed(reason: reason)
}
