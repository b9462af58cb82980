import Foundation
import Logging
import PCloudModel

/// The `Infrastructure` driver for OpenStack: one Nova server per assembly, marked with
/// pcloud_deployable / pcloud_assembly / pcloud_uuid metadata so a restarted controller adopts
/// its servers instead of starting copies. Drivers of deployables on one cloud share one
/// `OpenStackServerWatch` (see `OpenStackClouds`), so the cloud is listed once per interval.
public struct OpenStackInfrastructure: Infrastructure {
    public let nova: NovaClient
    public let settings: OpenStackGuestSettings
    /// The deployable whose servers `events()` reports; nil: every pcloud server on the cloud.
    public let deployable: String?
    public let watch: OpenStackServerWatch
    public var kind: String { "openstack" }

    /// A driver with a watch of its own.
    public init(nova: NovaClient, settings: OpenStackGuestSettings) {
        self.init(nova: nova, settings: settings, deployable: nil, watch: Self.watch(nova, interval: settings.eventInterval))
    }

    public init(nova: NovaClient, settings: OpenStackGuestSettings, deployable: String?, watch: OpenStackServerWatch) {
        self.nova = nova
        self.settings = settings
        self.deployable = deployable
        self.watch = watch
    }

    /// A watch listing every pcloud server `nova` sees.
    public static func watch(_ nova: NovaClient, interval: Duration) -> OpenStackServerWatch {
        OpenStackServerWatch(interval: interval) {
            try await nova.servers(metadata: [:]).compactMap { server in
                guard let name = guestName(server) else { return nil }
                return GuestInfo(name: name, id: server.id, power: power(server), address: server.preferredAddress)
            }
        }
    }

    /// The driver for `cloud` (see `CloudsYAML.load`), authenticating as it says.
    public init(cloud: OpenStackCloud, settings: OpenStackGuestSettings, http: OpenStackHTTP = OpenStackHTTP()) {
        self.init(nova: NovaClient(auth: OpenStackAuth(cloud: cloud, http: http), http: http), settings: settings)
    }

    public func start(_ guest: GuestSpec) async throws -> GuestInfo {
        if var server = try await find(guest.name) {
            switch server.status {
            case "ACTIVE" where server.isSettled:
                break
            case "SHUTOFF":
                try await nova.retryingConflicts(server.id) { try await nova.start(server.id) }
                server = try await nova.wait(server.id, for: ["ACTIVE"], schedule: settings.schedule)
            case "ERROR":
                try await nova.delete(server.id)
                try await nova.waitUntilGone(server.id, schedule: settings.schedule)
                return try await create(guest)
            default:
                server = try await nova.wait(server.id, for: ["ACTIVE"], schedule: settings.schedule)
            }
            return info(server, guest.name)
        }
        return try await create(guest)
    }

    private func create(_ guest: GuestSpec) async throws -> GuestInfo {
        guard let image = guest.image.map({ settings.images[$0] ?? $0 }) ?? settings.defaultImage else {
            throw OpenStackConfigError("no image for \(guest.name): the spec names none and no default image is set")
        }
        let request = NovaServerRequest(
            name: PCloudServerMetadata.serverName(deployable: guest.name.deployable, assembly: guest.name.assembly),
            imageRef: image,
            flavorRef: settings.flavor, networks: settings.networks, keyName: settings.keyName,
            userData: guest.authorizedKey.map(Self.cloudConfig),
            metadata: [
                PCloudServerMetadata.deployable: guest.name.deployable, PCloudServerMetadata.assembly: guest.name.assembly,
                PCloudServerMetadata.uuid: guest.deployableUUID,
            ])
        let id = try await nova.create(request)
        return info(try await nova.wait(id, for: ["ACTIVE"], schedule: settings.schedule), guest.name)
    }

    /// cloud-init that lets the controller log in with the deployable's key.
    static func cloudConfig(authorizedKey: String) -> String {
        "#cloud-config\nssh_authorized_keys:\n  - \(authorizedKey)\n"
    }

    /// os-stop and wait for SHUTOFF; when the stop cannot be confirmed, delete and wait for 404.
    public func fence(_ guest: GuestName) async throws {
        guard let server = try await find(guest), server.status != "SHUTOFF" else { return }
        do {
            try await nova.retryingConflicts(server.id) { try await nova.stop(server.id) }
            _ = try await nova.wait(server.id, for: ["SHUTOFF"], schedule: settings.schedule)
        } catch {
            nova.logger.warning("fencing \(guest) by os-stop failed (\(error)); deleting the server")
            try await nova.delete(server.id)
            try await nova.waitUntilGone(server.id, schedule: settings.schedule)
        }
    }

    /// os-stop (Nova shuts down gracefully, then forces it), waiting `grace` plus the poll timeout.
    public func stop(_ guest: GuestName, grace: Duration) async throws {
        guard let server = try await find(guest), server.status != "SHUTOFF" else { return }
        try await nova.retryingConflicts(server.id) { try await nova.stop(server.id) }
        var schedule = settings.schedule
        schedule.timeout += grace
        _ = try await nova.wait(server.id, for: ["SHUTOFF"], schedule: schedule)
    }

    public func remove(_ guest: GuestName) async throws {
        for server in try await servers(of: guest.deployable)
        where server.metadata[PCloudServerMetadata.assembly] == guest.assembly {
            try await nova.delete(server.id)
            try await nova.waitUntilGone(server.id, schedule: settings.schedule)
        }
    }

    public func guests(of deployable: String?) async throws -> [GuestInfo] {
        try await servers(of: deployable).compactMap { server in
            guard let name = Self.guestName(server) else { return nil }
            return info(server, name)
        }
    }

    public func events() -> AsyncStream<GuestEvent> {
        watch.events(of: deployable)
    }

    // MARK: - servers and their states

    func servers(of deployable: String?) async throws -> [NovaServer] {
        try await nova.servers(metadata: deployable.map { [PCloudServerMetadata.deployable: $0] } ?? [:])
            .filter { Self.guestName($0) != nil }
    }

    func find(_ guest: GuestName) async throws -> NovaServer? {
        try await servers(of: guest.deployable).first { $0.metadata[PCloudServerMetadata.assembly] == guest.assembly }
    }

    static func guestName(_ server: NovaServer) -> GuestName? {
        guard let deployable = server.metadata[PCloudServerMetadata.deployable],
            let assembly = server.metadata[PCloudServerMetadata.assembly]
        else { return nil }
        return GuestName(deployable: deployable, assembly: assembly)
    }

    func info(_ server: NovaServer, _ name: GuestName) -> GuestInfo {
        GuestInfo(name: name, id: server.id, power: Self.power(server), address: server.preferredAddress)
    }

    /// Nova's server status as a power state.
    public static func power(_ server: NovaServer) -> GuestPower {
        switch server.status {
        case "ACTIVE": server.isSettled ? .running : .starting
        case "BUILD", "REBUILD", "REBOOT", "HARD_REBOOT", "MIGRATING", "RESIZE", "VERIFY_RESIZE": .starting
        case "SHUTOFF", "SUSPENDED", "SHELVED", "SHELVED_OFFLOADED": .stopped
        case "PAUSED": .paused
        case "ERROR": .crashed
        case "DELETED", "SOFT_DELETED": .absent
        default: .unknown
        }
    }
}
