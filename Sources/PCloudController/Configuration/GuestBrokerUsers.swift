import Foundation
import PCloudModel
import Synchronization

/// The broker accounts of guests that run pcloud-agent: one user per deployable, `pcloud-NAME`,
/// which the broker lets publish only NAME's messages and read only NAME's request queues, so a
/// guest can neither pose as another deployable's guest nor read its requests.
///
/// Its password is random, made once and kept in `directory/NAME.password` (0600; the directory
/// 0700). The user is made (or its password set again) on the broker the first time this
/// controller starts a guest of NAME, by `usersCommand add-deployable NAME` with the password in
/// the environment (PCLOUD_DEPLOYABLE_PASSWORD), never on a command line or in a log.
public final class GuestBrokerUsers: Sendable {
    let broker: ControllerConfiguration.Broker
    let directory: URL
    /// Deployables whose user this controller has made since it started.
    private let made = Mutex<Set<String>>([])
    /// One password file is made at a time (two guests of a deployable may start together).
    private let files = Mutex<Void>(())

    public init(broker: ControllerConfiguration.Broker, directory: URL) {
        self.broker = broker
        self.directory = directory
    }

    /// The broker as `deployable`'s guests reach it, as its own user.
    public func guestBroker(for deployable: String) async throws -> GuestAgentFile.Broker {
        let password = try password(for: deployable)
        if !made.withLock({ $0.contains(deployable) }) {
            try await makeUser(deployable, password: password)
            made.withLock { _ = $0.insert(deployable) }
        }
        let caPEM = try broker.caFile.map { path in
            do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ConfigurationError("broker ca-file \(path): cannot read it for the guests: \(error.localizedDescription)")
            }
        }
        return GuestAgentFile.Broker(
            host: broker.guestHost ?? broker.host, port: broker.guestPort ?? broker.port, user: "pcloud-\(deployable)",
            password: password, caPEM: caPEM)
    }

    private func makeUser(_ deployable: String, password: String) async throws {
        let outcome = await ScriptRun.run(
            broker.usersCommand, arguments: ["add-deployable", deployable],
            environment: ["PCLOUD_DEPLOYABLE_PASSWORD": password], timeout: .seconds(60))
        switch outcome {
        case .exited(0, _): return
        case .exited(let status, let output):
            throw ConfigurationError(
                "the broker user pcloud-\(deployable) for its guests' agents could not be made: \(broker.usersCommand) exited \(status): \(output.suffix(500))"
            )
        case .timedOut:
            throw ConfigurationError(
                "the broker user pcloud-\(deployable) could not be made: \(broker.usersCommand) ran over 60s")
        case .couldNotStart(let reason):
            throw ConfigurationError(
                "the broker user pcloud-\(deployable) could not be made: \(reason) (set broker: {users-command} in cped.yaml or --broker-users-command)"
            )
        }
    }

    /// Removes `deployable`'s broker user and its password file (the deployable was deleted). Nothing
    /// to do when this controller never made a password for it. Returns why it could not, or nil;
    /// the file is kept then, so the password is not lost while the user may still exist.
    public func remove(_ deployable: String) async -> String? {
        let file = directory.appendingPathComponent("\(deployable).password")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        made.withLock { _ = $0.remove(deployable) }
        let outcome = await ScriptRun.run(
            broker.usersCommand, arguments: ["remove-deployable", deployable], environment: [:], timeout: .seconds(60))
        let problem: String? =
            switch outcome {
            case .exited(0, _): nil
            case .exited(let status, let output): "\(broker.usersCommand) exited \(status): \(output.suffix(300))"
            case .timedOut: "\(broker.usersCommand) ran over 60s"
            case .couldNotStart(let reason): reason
            }
        if let problem { return "the broker user pcloud-\(deployable) could not be removed: \(problem)" }
        do { try FileManager.default.removeItem(at: file) } catch {
            return "the broker password file \(file.path) could not be removed: \(error.localizedDescription)"
        }
        return nil
    }

    /// 32 letters and digits (about 190 bits): nothing a shell, rabbitmqctl's option parser or a
    /// URL reads specially. Base64's '+' once became '-', and one password in 64 began with it,
    /// which rabbitmqctl took for an option: that deployable's guests could never start.
    static func newPassword() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet.randomElement(using: &generator)! })
    }

    private func password(for deployable: String) throws -> String {
        try files.withLock { _ in
            let file = directory.appendingPathComponent("\(deployable).password")
            if let text = try? String(contentsOf: file, encoding: .utf8) {
                let password = text.trimmingCharacters(in: .whitespacesAndNewlines)
                // One made before passwords were letters and digits only, starting with '-', was
                // read by rabbitmqctl as an option and never became a user: made again.
                if !password.isEmpty && !password.hasPrefix("-") { return password }
            }
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let password = Self.newPassword()
            guard
                FileManager.default.createFile(
                    atPath: file.path, contents: Data((password + "\n").utf8), attributes: [.posixPermissions: 0o600])
            else { throw ConfigurationError("cannot write \(file.path) (the broker password of \(deployable)'s guests)") }
            return password
        }
    }
}
