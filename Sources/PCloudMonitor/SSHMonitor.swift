import PCloudModel
import PCloudSSH
import Synchronization

/// The ssh monitoring method: one persistent libssh2 session per guest, all driven by one
/// `SSHEventLoop` thread. Liveness reads the guest's uptime and boot id; resource operations run
/// the class's command (`ResourceCommand`) on a channel of that session.
public final class SSHMonitor: Monitor {
    private let identity: SSHIdentity
    private let options: SSHSessionOptions
    private let loop: SSHEventLoop
    private let outputLimit: Int
    private let sessions = Mutex<[GuestName: (endpoint: GuestEndpoint, session: SSHSession)]>([:])
    private let hub = ObservationHub()

    /// The command a liveness check runs: uptime in seconds, then the boot id (a reboot changes it).
    public static let livenessCommand = "cat /proc/uptime /proc/sys/kernel/random/boot_id"

    public init(
        identity: SSHIdentity, options: SSHSessionOptions = SSHSessionOptions(), loop: SSHEventLoop = .shared,
        outputLimit: Int = 64 * 1024
    ) {
        self.identity = identity
        self.options = options
        self.loop = loop
        self.outputLimit = outputLimit
    }

    deinit { hub.finish() }

    public func liveness(of guest: GuestEndpoint, timeout: Duration) async -> Liveness {
        do {
            let result = try await session(for: guest).exec(Self.livenessCommand, timeout: timeout, outputLimit: 4096)
            guard result.exitStatus == 0 else {
                return .unreachable(reason: "liveness check exited \(result.exitStatus): \(result.stderr.prefix(200))")
            }
            switch Self.parseLiveness(result.stdout) {
            case .success(let alive): return alive
            case .failure(let problem): return .unreachable(reason: "malformed liveness answer: \(problem)")
            }
        } catch let SSHError.hostKeyMismatch(expected, presented) {
            return .hostKeyMismatch(expected: expected, presented: presented)
        } catch {
            return .unreachable(reason: "\(error)")
        }
    }

    public func run(
        _ action: ResourceAction, resource: Resource, parameters: [String: String], on guest: GuestEndpoint,
        timeout: Duration
    ) async -> OperationResult {
        guard let command = ResourceCommand(action, resource: resource, parameters: parameters) else {
            return OperationResult(code: .unimplemented, output: "\(resource.name) has no \(action.rawValue) command")
        }
        do {
            let result = try await session(for: guest).exec(command.command, timeout: timeout, outputLimit: outputLimit)
            let output = result.stdout + result.stderr
            return OperationResult(code: command.code(forExitStatus: result.exitStatus), output: output)
        } catch {
            return OperationResult(code: .unknownError, transportError: "\(error)")
        }
    }

    /// What the monitor notices between checks: a guest whose connection broke and could not be
    /// made again (see `connectionLost`). Each caller (each ssh deployable's engine) has its own
    /// stream; it ends when the monitor goes.
    public func observations() -> AsyncStream<Observation> { hub.stream() }

    public func forget(_ guest: GuestName) async {
        let removed = sessions.withLock { $0.removeValue(forKey: guest) }
        await removed?.session.close()
    }

    /// Connects if needed and returns the host key the guest presents, so a guest first seen
    /// without a pinned key can have it recorded.
    public func presentedHostKey(of guest: GuestEndpoint, timeout: Duration = .seconds(10)) async throws -> String {
        try await session(for: guest).connect(timeout: timeout)
    }

    /// `/proc/uptime` then the boot id: `12345.67 890.12\n<uuid>\n`. Whatever else a guest prints
    /// (`nan`, `1e300`, `-5`, a binary blob) is a malformed answer: that guest's failure, with the reason.
    static func parseLiveness(_ output: String) -> Result<Liveness, GuestUptime.Problem> {
        let lines = output.split(separator: "\n")
        guard let first = lines.first else { return .failure(GuestUptime.Problem(reason: "empty answer")) }
        let bootID = lines.count > 1 ? String(lines[1].prefix(64)) : nil
        return GuestUptime.read(text: first).map { .alive(uptime: $0, bootID: bootID) }
    }

    /// The guest's session; a changed endpoint (address, port, user, pinned key) gets a new one.
    private func session(for guest: GuestEndpoint) -> SSHSession {
        sessions.withLock { sessions in
            if let existing = sessions[guest.name], existing.endpoint == guest { return existing.session }
            let session = SSHSession(
                host: guest.host, port: guest.port, user: guest.user, identity: identity, pinnedHostKey: guest.hostKey,
                options: options, loop: loop,
                onConnectionLost: { [weak self] error in
                    Task { await self?.connectionLost(guest, error) }
                })
            sessions[guest.name] = (guest, session)
            return session
        }
    }

    /// A guest's connection broke while no check was running (its sshd died, it rebooted, a
    /// keepalive failed). Check it again at once: a guest that answers (sshd restarted, a network
    /// blip) is left alone; one that does not is pushed as unreachable now instead of at its next
    /// scheduled check, so a crashed guest is noticed in milliseconds, not up to an interval later.
    func connectionLost(_ guest: GuestEndpoint, _ lost: SSHError) async {
        guard let session = currentSession(of: guest) else { return }  // forgotten: it was stopped
        let recheck: Liveness
        do {
            let result = try await session.exec(Self.livenessCommand, timeout: options.connectTimeout, outputLimit: 4096)
            if result.exitStatus == 0, case .success = Self.parseLiveness(result.stdout) { return }
            recheck = .unreachable(reason: "connection lost (\(lost)); liveness check exited \(result.exitStatus)")
        } catch let SSHError.hostKeyMismatch(expected, presented) {
            recheck = .hostKeyMismatch(expected: expected, presented: presented)
        } catch {
            recheck = .unreachable(reason: "connection lost (\(lost)); reconnecting failed: \(error)")
        }
        guard currentSession(of: guest) === session else { return }
        hub.publish(.liveness(guest.name, recheck))
    }

    private func currentSession(of guest: GuestEndpoint) -> SSHSession? {
        sessions.withLock { sessions in sessions[guest.name].flatMap { $0.endpoint == guest ? $0.session : nil } }
    }
}
