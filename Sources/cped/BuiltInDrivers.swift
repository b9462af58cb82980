import Foundation
import Logging
import PCloudAMQP
import PCloudAgentMonitor
import PCloudController
import PCloudLibvirt
import PCloudModel
import PCloudMonitor
import PCloudOpenStack
import PCloudSSH
import Synchronization

/// The drivers this cped was built with, chosen by each deployable's infrastructure and monitor
/// method. One ssh monitor serves every deployable (one event-loop thread for all sessions).
struct BuiltInDrivers: DriverFactory {
    /// cped's own ssh loop thread, stopped by `DriverService` when cped stops.
    let sshLoop = SSHEventLoop()
    let ssh: SSHMonitor
    /// One connection to the broker for every deployable using guest agents; made when first needed.
    let agent: AgentMonitor?
    /// The broker users of deployables whose guests pcloud makes and their agents join.
    let guestUsers: GuestBrokerUsers?
    /// One libvirt connection (one event thread) per URI, shared by the deployables that use it.
    let libvirt = LibvirtConnections()
    /// One Nova client and one server watch per OpenStack cloud, shared by the deployables on it.
    let openstack = OpenStackClouds()

    init(sshKeyPath: String, broker: ControllerConfiguration.Broker?, brokerUsers: URL, logger: Logger) {
        ssh = SSHMonitor(identity: SSHIdentity(privateKeyPath: sshKeyPath), loop: sshLoop)
        guestUsers = broker.map { GuestBrokerUsers(broker: $0, directory: brokerUsers) }
        agent = broker.map { broker in
            AgentMonitor(
                endpoint: AMQPEndpoint(
                    host: broker.host, port: broker.port, user: broker.user, password: broker.password,
                    containerID: "pcloud-cped",
                    tls: broker.caFile.map { AMQPTLS(caFile: $0) }),
                log: { message in logger.info("\(message)", metadata: ["monitor": "agent"]) })
        }
    }

    /// Closes what the drivers hold once nothing uses them (cped stopping): every ssh session and
    /// the loop thread, each libvirt connection, each OpenStack server watch. Says what it closed.
    func shutdown() async -> String {
        let sessions = await sshLoop.shutdownAndWait()
        let connections = await libvirt.closeAll()
        let watches = openstack.finish()
        return "\(sessions) ssh session(s) and the ssh loop, \(connections) libvirt connection(s), "
            + "\(watches) OpenStack server watch(es)"
    }

    func forget(deployable: String) async -> String? { await guestUsers?.remove(deployable) }

    func infrastructure(for deployable: Deployable) throws -> any Infrastructure {
        switch deployable.infrastructure {
        case .static: return StaticInfrastructure(deployable)
        case .libvirt(let uri): return libvirt.infrastructure(uri: uri)
        case .openstack(let cloud, let flavor, let network):
            let settings: OpenStackCloud
            do { settings = try CloudsYAML.load(cloud: cloud) } catch {
                throw DriverUnavailable("OpenStack cloud \(cloud ?? "from OS_* variables"): \(error)")
            }
            return openstack.infrastructure(
                cloud: settings,
                settings: OpenStackGuestSettings(flavor: flavor ?? "m1.small", networks: network.map { [$0] } ?? []),
                deployable: deployable.name)
        }
    }

    func monitor(for deployable: Deployable) throws -> any Monitor {
        switch deployable.monitor.method {
        case .ssh: return ssh
        case .agent:
            guard let agent else {
                throw DriverUnavailable(
                    "the agent monitor needs a broker: set broker: {host, port, user, password-file} in cped.yaml")
            }
            return agent
        }
    }

    /// Guests pcloud makes (libvirt, OpenStack) are told the broker and their deployable's user;
    /// static hosts run an agent their owner configured.
    func guestBroker(for deployable: Deployable) async throws -> GuestAgentFile.Broker? {
        guard deployable.monitor.method == .agent else { return nil }
        if case .static = deployable.infrastructure { return nil }
        guard let guestUsers else {
            throw DriverUnavailable(
                "the agent monitor needs a broker: set broker: {host, port, user, password-file} in cped.yaml")
        }
        return try await guestUsers.guestBroker(for: deployable.name)
    }
}

/// The controller's ssh key: made with ssh-keygen on first start so guests can be given its public half.
enum ControllerKey {
    static func ensure(_ path: String, logger: Logger) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let keygen = Process()
        keygen.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        keygen.arguments = ["-q", "-t", "ed25519", "-N", "", "-C", "pcloud-cped", "-f", path]
        keygen.standardOutput = FileHandle.nullDevice
        do { try keygen.run() } catch {
            throw ConfigurationError(
                "cannot make the controller's ssh key \(path): \(error.localizedDescription) (is openssh-client installed?)")
        }
        keygen.waitUntilExit()
        guard keygen.terminationStatus == 0 else { throw ConfigurationError("ssh-keygen could not make \(path)") }
        logger.notice("made the controller's ssh key", metadata: ["key": "\(path).pub"])
    }
}

/// libvirt drivers by URI, made on first use.
final class LibvirtConnections: Sendable {
    private let drivers = Mutex<[String: LibvirtInfrastructure]>([:])

    func infrastructure(uri: String) -> LibvirtInfrastructure {
        drivers.withLock { drivers in
            if let driver = drivers[uri] { return driver }
            let driver = LibvirtInfrastructure(configuration: LibvirtConfiguration(uri: uri))
            drivers[uri] = driver
            return driver
        }
    }

    /// Closes every connection (a later use would open it again); returns how many there were.
    func closeAll() async -> Int {
        let all = drivers.withLock { Array($0.values) }
        for driver in all { await driver.connection.close() }
        return all.count
    }
}
