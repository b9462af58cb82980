import Foundation
import PCloudModel

/// pcloud's libvirt driver: each assembly is a domain `pcloud-DEPLOYABLE-ASSEMBLY` marked with
/// pcloud metadata, on a copy-on-write overlay of a base image.
public final class LibvirtInfrastructure: Infrastructure {
    public let kind = "libvirt"
    public let configuration: LibvirtConfiguration
    public let connection: LibvirtConnection
    private let registry = GuestRegistry()

    public init(configuration: LibvirtConfiguration = LibvirtConfiguration()) {
        self.configuration = configuration
        connection = LibvirtConnection(uri: configuration.uri)
    }

    public func start(_ spec: GuestSpec) async throws -> GuestInfo {
        let domain = DomainDefinition.domainName(of: spec.name)
        registry.remember(domain, as: spec.name)
        if let state = try await connection.state(of: domain) {
            if !state.isOff { return try await info(domain, guest: spec.name) }
            try await refreshOverlay(of: spec, domain: domain)
        } else {
            try await connection.define(xml: definition(for: spec, domain: domain).xml)
        }
        try await connection.start(domain)
        return try await info(domain, guest: spec.name)
    }

    public func fence(_ guest: GuestName) async throws {
        let domain = DomainDefinition.domainName(of: guest)
        try await connection.destroy(domain)
        try await waitUntilOff(domain, timeout: configuration.fenceTimeout)
    }

    public func stop(_ guest: GuestName, grace: Duration) async throws {
        let domain = DomainDefinition.domainName(of: guest)
        try await connection.shutdown(domain)
        if (try? await waitUntilOff(domain, timeout: grace)) != nil { return }
        try await fence(guest)
    }

    public func remove(_ guest: GuestName) async throws {
        let domain = DomainDefinition.domainName(of: guest)
        try await fence(guest)
        try await connection.undefine(domain)
        let files = URL(fileURLWithPath: configuration.guestDirectory).appendingPathComponent(domain)
        if FileManager.default.fileExists(atPath: files.path) { try FileManager.default.removeItem(at: files) }
        registry.forget(domain)
    }

    public func guests(of deployable: String?) async throws -> [GuestInfo] {
        var found: [GuestInfo] = []
        for domain in try await connection.domainNames().sorted() where domain.hasPrefix("pcloud-") {
            guard let metadata = try? await metadata(of: domain) else { continue }
            if let deployable, metadata.guest.deployable != deployable { continue }
            registry.remember(domain, as: metadata.guest)
            if let info = try? await info(domain, guest: metadata.guest) { found.append(info) }
        }
        return found
    }

    public func events() -> AsyncStream<GuestEvent> {
        let lifecycle = connection.lifecycleEvents()
        let (stream, continuation) = AsyncStream<GuestEvent>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let task = Task {
            let reconnections = await connection.reconnections()
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in lifecycle {
                        if let guestEvent = await self.guestEvent(event) { continuation.yield(guestEvent) }
                    }
                }
                group.addTask {
                    for await _ in reconnections {
                        for event in await self.changesWhileDisconnected() { continuation.yield(event) }
                    }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    // MARK: - Internals

    func definition(for spec: GuestSpec, domain: String) async throws -> DomainDefinition {
        guard let imageName = spec.image else {
            throw LibvirtError(operation: "define \(domain)", message: "the assembly names no image")
        }
        let image = try BaseImage(name: imageName, directory: configuration.imageDirectory)
        let files = GuestFiles(domain: domain, configuration: configuration, image: image)
        let mac = DomainDefinition.mac(for: domain)
        let network: DomainDefinition.Network
        var address = spec.address
        switch configuration.network {
        case .none: network = .none
        case .libvirtNetwork(let name): network = .libvirtNetwork(name)
        case .loopbackForward:
            if address?.hasPrefix("127.") != true { address = DomainDefinition.loopbackAddress(for: domain) }
            network = .loopbackForward(address: address!)
        }
        let agent = try spec.agent.map { try agentAsTheGuestSeesIt($0, domain: domain) }
        let hostKey = try await files.prepare(for: spec, domain: domain, agent: agent)
        let metadata = GuestMetadata(guest: spec.name, deployableUUID: spec.deployableUUID, address: address, hostKey: hostKey)
        return DomainDefinition(
            name: domain, metadata: metadata, virtualization: configuration.virtualization, memoryMiB: spec.memoryMiB,
            vcpus: spec.vcpus, kernel: image.kernel, initrd: image.initrd, kernelArguments: image.kernelArguments,
            rootDisk: image.rootDisk == nil ? nil : files.overlay.path,
            seedDisk: image.rootDisk == nil ? nil : files.seed.path, network: network, mac: mac,
            consoleLog: files.consoleLog.path)
    }

    /// A defined guest that is off boots on a fresh overlay when its base image was rebuilt since.
    private func refreshOverlay(of spec: GuestSpec, domain: String) async throws {
        guard let imageName = spec.image,
            let image = try? BaseImage(name: imageName, directory: configuration.imageDirectory), let base = image.rootDisk
        else { return }
        let files = GuestFiles(domain: domain, configuration: configuration, image: image)
        guard FileManager.default.fileExists(atPath: files.overlay.path) else { return }
        try await files.ensureOverlay(on: base)
    }

    /// The guest reaches a broker on the host's loopback through QEMU user networking's gateway,
    /// 10.0.2.2; on other networks a loopback broker cannot be reached, which is said now rather
    /// than found later as a guest that never heartbeats.
    func agentAsTheGuestSeesIt(_ agent: GuestAgentFile, domain: String) throws -> GuestAgentFile {
        guard agent.broker.isLoopback else { return agent }
        guard case .loopbackForward = configuration.network else {
            throw LibvirtError(
                operation: "define \(domain)",
                message:
                    "its agent cannot reach the broker at \(agent.broker.host) from this network: set the address guests reach the broker at (cped --broker-guest-address, or broker: {guest-host} in cped.yaml)"
            )
        }
        var seen = agent
        seen.broker.host = "10.0.2.2"
        return seen
    }

    private func metadata(of domain: String) async throws -> GuestMetadata? {
        try await connection.metadata(of: domain, namespace: GuestMetadata.namespace).flatMap(GuestMetadata.init(xml:))
    }

    private func info(_ domain: String, guest: GuestName) async throws -> GuestInfo {
        let state = try await connection.state(of: domain)
        let power = state?.guestPower ?? .absent
        registry.record(domain, power)
        let metadata = try await metadata(of: domain)
        var address = metadata?.address
        if address == nil, case .libvirtNetwork = configuration.network, power == .running {
            address = try? await connection.leaseAddresses(of: domain).first
        }
        let id = try await connection.uuid(of: domain) ?? domain
        return GuestInfo(name: guest, id: id, power: power, address: address, hostKey: metadata?.hostKey)
    }

    /// Polls libvirt (every 50 ms) until the domain is off or gone; throws after `timeout`.
    private func waitUntilOff(_ domain: String, timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let state = try await connection.state(of: domain)
            if state == nil || state!.isOff {
                registry.record(domain, state?.guestPower ?? .absent)
                return
            }
            if clock.now >= deadline {
                throw LibvirtError(
                    operation: "confirm \(domain) off", message: "still \(state!.rawValue) after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func guestEvent(_ event: DomainLifecycleEvent) async -> GuestEvent? {
        guard event.domain.hasPrefix("pcloud-"), let (power, reason) = event.change.guestPowerAndReason else { return nil }
        var guest = registry.guest(of: event.domain)
        if guest == nil, let metadata = try? await metadata(of: event.domain) {
            guest = metadata.guest
            registry.remember(event.domain, as: metadata.guest)
        }
        guard let guest else { return nil }
        registry.record(event.domain, power)
        return GuestEvent(name: guest, power: power, reason: reason)
    }

    /// After libvirtd came back: guests whose power differs from what was last seen.
    private func changesWhileDisconnected() async -> [GuestEvent] {
        guard let domains = try? await connection.domainNames() else { return [] }
        var events: [GuestEvent] = []
        for domain in domains where domain.hasPrefix("pcloud-") {
            guard let guest = registry.guest(of: domain), let state = try? await connection.state(of: domain) else { continue }
            let old = registry.record(domain, state.guestPower)
            if let old, old != state.guestPower {
                events.append(
                    GuestEvent(name: guest, power: state.guestPower, reason: "\(state.rawValue) while libvirtd was away"))
            }
        }
        return events
    }
}
