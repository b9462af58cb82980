import PCloudModel

/// Builds the infrastructure and monitor drivers a deployable asks for. cped wires in the real ones
/// (libvirt, OpenStack, static; ssh, agent); a driver that is not available is a clear error.
public protocol DriverFactory: Sendable {
    func infrastructure(for deployable: Deployable) throws -> any Infrastructure
    func monitor(for deployable: Deployable) throws -> any Monitor
    /// For a deployable watched by the agent on guests pcloud makes: the broker as its guests
    /// reach it, as the deployable's own broker user (made when first needed). The driver writes
    /// it into each guest's agent.json. nil when its guests are told nothing (the ssh method, or
    /// existing hosts that run an agent configured by their owner).
    func guestBroker(for deployable: Deployable) async throws -> GuestAgentFile.Broker?
    /// The deployable was deleted: what the drivers made for it (its broker user and password file)
    /// goes too. Returns why it could not, or nil.
    func forget(deployable: String) async -> String?
}

extension DriverFactory {
    public func guestBroker(for deployable: Deployable) async throws -> GuestAgentFile.Broker? { nil }
    public func forget(deployable: String) async -> String? { nil }
}

/// A driver the deployable needs is not built in or not configured.
public struct DriverUnavailable: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Existing hosts at fixed addresses: pcloud monitors and recovers their resources but cannot power
/// them off or recreate them, so "fencing" only stops talking to the old session, and "starting"
/// reports the address from the definition.
public struct StaticInfrastructure: Infrastructure {
    let addresses: [String: String]

    public init(_ deployable: Deployable) {
        addresses = Dictionary(uniqueKeysWithValues: deployable.assemblies.compactMap { a in a.address.map { (a.name, $0) } })
    }

    public var kind: String { "static" }
    public var fencingSwitchesOff: Bool { false }

    public func start(_ guest: GuestSpec) async throws -> GuestInfo {
        guard let address = guest.address ?? addresses[guest.name.assembly] else {
            throw DriverUnavailable("assembly \(guest.name.assembly) has no address: static infrastructure needs one")
        }
        return GuestInfo(name: guest.name, id: address, power: .running, address: address)
    }

    public func fence(_ guest: GuestName) async throws {}
    public func stop(_ guest: GuestName, grace: Duration) async throws {}
    public func remove(_ guest: GuestName) async throws {}

    public func guests(of deployable: String?) async throws -> [GuestInfo] {
        guard let deployable else { return [] }
        return addresses.map {
            GuestInfo(name: GuestName(deployable: deployable, assembly: $0.key), id: $0.value, power: .running, address: $0.value)
        }
    }

    public func events() -> AsyncStream<GuestEvent> { AsyncStream { _ in } }
}
