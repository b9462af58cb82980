import CLibvirt
import Glibc

/// One libvirt connection (`qemu:///system`, `test:///default`, ...). An actor whose executor is
/// its own dedicated thread, so every blocking libvirt call runs there and never on the
/// cooperative pool. The connection is opened on first use and reopened when it died (libvirtd
/// restarted): after a reconnect, `reconnections()` yields so owners can re-read state.
public actor LibvirtConnection {
    public nonisolated let uri: String
    private nonisolated let thread: LibvirtThread
    private nonisolated let hub = LibvirtEventHub()
    private var handle: ConnectionHandle?
    private var reconnecting = false
    private var reconnectWaiters: [AsyncStream<Void>.Continuation] = []

    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    public init(uri: String = "qemu:///system") {
        LibvirtEventLoop.start()
        self.uri = uri
        thread = LibvirtThread(name: "libvirt \(uri)")
    }

    deinit {
        hub.finish()
        thread.stop()
    }

    /// Opens the connection now (it also opens on first use); throws libvirt's reason if it can't.
    public func open() throws { _ = try connection() }

    /// Closes the connection; the next call opens it again.
    public func close() { handle = nil }

    public var isOpen: Bool { handle?.isAlive ?? false }

    /// Lifecycle events of every domain on this connection, across reconnects.
    public nonisolated func lifecycleEvents() -> AsyncStream<DomainLifecycleEvent> { hub.subscribe() }

    /// Yields each time the connection was lost and opened again.
    public func reconnections() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        reconnectWaiters.append(continuation)
        return stream
    }

    public func domainNames() throws -> [String] {
        let connection = try connection()
        var domains: UnsafeMutablePointer<OpaquePointer?>?
        let count = virConnectListAllDomains(connection.pointer, &domains, 0)
        guard count >= 0, let domains else { throw LibvirtError.last("list domains") }
        defer { free(domains) }
        return (0..<Int(count)).compactMap { index in
            domains[index].map { LibvirtDomain($0).name }
        }
    }

    /// The domain's state, nil when there is no such domain.
    public func state(of name: String) throws -> DomainState? { try domain(name)?.state() }

    public func uuid(of name: String) throws -> String? { try domain(name)?.uuid() }

    /// Defines (or redefines) a persistent domain from its XML.
    public func define(xml: String) throws {
        let connection = try connection()
        guard let pointer = virDomainDefineXML(connection.pointer, xml) else { throw LibvirtError.last("define") }
        _ = LibvirtDomain(pointer)
    }

    public func start(_ name: String) throws { try existing(name).create() }

    /// Forces the domain off; a domain that is already off is fine.
    public func destroy(_ name: String) throws {
        guard let domain = try domain(name) else { return }
        do { try domain.destroy() } catch let error as LibvirtError where error.isInvalidState {}
    }

    /// Asks the guest to shut down (ACPI); a domain that is already off is fine.
    public func shutdown(_ name: String) throws {
        guard let domain = try domain(name) else { return }
        do { try domain.shutdown() } catch let error as LibvirtError where error.isInvalidState {}
    }

    /// Removes the definition; an absent domain is fine.
    public func undefine(_ name: String) throws { try domain(name)?.undefine() }

    public func metadata(of name: String, namespace: String) throws -> String? {
        try domain(name)?.metadata(namespace: namespace)
    }

    public func xmlDescription(of name: String) throws -> String { try existing(name).xmlDescription() }

    public func leaseAddresses(of name: String) throws -> [String] { try existing(name).leaseAddresses() }

    // MARK: - Internals

    private func domain(_ name: String) throws -> LibvirtDomain? {
        let connection = try connection()
        guard let pointer = virDomainLookupByName(connection.pointer, name) else {
            let error = LibvirtError.last("look up \(name)")
            if error.isNoDomain { return nil }
            throw error
        }
        return LibvirtDomain(pointer)
    }

    private func existing(_ name: String) throws -> LibvirtDomain {
        guard let domain = try domain(name) else {
            throw LibvirtError(
                operation: "look up \(name)", message: "no domain named \(name)",
                code: Int32(VIR_ERR_NO_DOMAIN.rawValue))
        }
        return domain
    }

    /// The open connection, opened (again) when there is none or it died.
    private func connection() throws -> ConnectionHandle {
        if let handle, handle.isAlive { return handle }
        let wasOpen = handle != nil
        handle = nil
        let opened = try ConnectionHandle(uri: uri, hub: hub)
        handle = opened
        hub.onClose { [weak self] _ in
            guard let self else { return }
            Task { await self.connectionClosed() }
        }
        if wasOpen { announceReconnect() }
        return opened
    }

    private func connectionClosed() async {
        guard !reconnecting else { return }
        reconnecting = true
        defer { reconnecting = false }
        handle = nil
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            if (try? connection()) != nil {
                announceReconnect()
                return
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
        }
    }

    private func announceReconnect() {
        for waiter in reconnectWaiters { waiter.yield() }
    }
}
