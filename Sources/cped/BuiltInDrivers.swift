import Foundation
import Logging
import PCloudAMQP
import PCloudAgentMonitor
import PCloudController
import PCloudModel
import PCloudMonitor
import PCloudSSH

/// The drivers this cped was built with, chosen by each deployable's infrastructure and monitor
/// method. One ssh monitor serves every deployable (one event-loop thread for all sessions).
struct BuiltInDrivers: DriverFactory {
    let ssh: SSHMonitor
    /// One connection to the broker for every deployable using guest agents; made when first needed.
    let agent: AgentMonitor?

    init(sshKeyPath: String, broker: ControllerConfiguration.Broker?, logger: Logger) {
        ssh = SSHMonitor(identity: SSHIdentity(privateKeyPath: sshKeyPath))
        agent = broker.map { broker in
            AgentMonitor(
                endpoint: AMQPEndpoint(
                    host: broker.host, port: broker.port, user: broker.user, password: broker.password, containerID: "pcloud-cped"
                ),
                log: { message in logger.info("\(message)", metadata: ["monitor": "agent"]) })
        }
    }

    func infrastructure(for deployable: Deployable) throws -> any Infrastructure {
        switch deployable.infrastructure {
        case .static: return StaticInfrastructure(deployable)
        case .libvirt: throw DriverUnavailable("the libvirt driver is not built into this cped")
        case .openstack: throw DriverUnavailable("the OpenStack driver is not built into this cped")
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
