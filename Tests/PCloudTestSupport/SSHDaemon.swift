import Foundation

/// A real OpenSSH server for tests: its own directory, ed25519 host key, client key and
/// authorized_keys, listening on `host:port` (127.0.0.1 by default, or an address inside a
/// network namespace). Stopping it also stops the per-connection children it forked, by PID.
public final class SSHDaemon: @unchecked Sendable {
    public let directory: URL
    public let host: String
    public let port: Int
    public let namespace: String?
    /// The client's private key (its public half is authorized for the current user).
    public let clientKeyPath: String
    public private(set) var process: SpawnedProcess?

    public static let sshd = "/usr/sbin/sshd"
    public static let sshKeygen = "/usr/bin/ssh-keygen"

    /// Why these tests cannot run here, or nil.
    public static var missing: String? {
        missingPrerequisite(executables: [sshd, sshKeygen, "/usr/bin/ssh"], needsRoot: true)
    }

    public init(
        host: String = "127.0.0.1", port: Int? = nil, namespace: String? = nil, maxSessions: Int = 100,
        logLevel: String = "INFO"
    ) throws {
        self.host = host
        self.port = port ?? freeLoopbackPort()
        self.namespace = namespace
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pcloud-sshd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        clientKeyPath = directory.appendingPathComponent("client_ed25519").path
        try Self.generateKey(at: clientKeyPath)
        try FileManager.default.copyItem(atPath: clientKeyPath + ".pub", toPath: path("authorized_keys"))
        try Self.generateKey(at: path("host_ed25519"))
        // Made now, not while sshd runs: Foundation's Process can miss a short child's exit
        // while a long-running child (sshd) is being waited for.
        try Self.generateKey(at: spareKeyPath)
        let config = """
            Port \(self.port)
            ListenAddress \(host)
            HostKey \(path("host_ed25519"))
            PidFile none
            AuthorizedKeysFile \(path("authorized_keys"))
            PermitRootLogin prohibit-password
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PrintMotd no
            MaxSessions \(maxSessions)
            MaxStartups 2000:30:4000
            LogLevel \(logLevel)
            # The "guest" is this machine: keep bash from sourcing root's ~/.bashrc for every
            # command (bash does that when run by sshd at shell level 1; here it runs pyenv init).
            SetEnv SHLVL=1

            """
        try config.write(toFile: path("sshd_config"), atomically: true, encoding: .utf8)
        // sshd refuses to start without its privilege-separation directory.
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// What sshd (and the per-connection processes it forked) logged so far.
    public var log: String { (try? String(contentsOfFile: path("sshd.log"), encoding: .utf8)) ?? "" }

    /// Another ed25519 key pair: a host key the guest does not have, or a client key it does not accept.
    public var spareKeyPath: String { path("spare_ed25519") }

    /// The spare key's public half as `ssh-ed25519 BASE64`.
    public var spareKey: String {
        let line = (try? String(contentsOfFile: spareKeyPath + ".pub", encoding: .utf8)) ?? ""
        return line.split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// The host key as a client sees it: `ssh-ed25519 BASE64`.
    public var hostKey: String {
        let line = (try? String(contentsOfFile: path("host_ed25519.pub"), encoding: .utf8)) ?? ""
        return line.split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// Starts sshd in the foreground (-D) and waits until it accepts connections.
    public func start() throws {
        let arguments = ["-D", "-f", path("sshd_config"), "-E", path("sshd.log")]
        if let namespace {
            process = try SpawnedProcess("/usr/sbin/ip", ["netns", "exec", namespace, Self.sshd] + arguments)
        } else {
            process = try SpawnedProcess(Self.sshd, arguments)
        }
        let ready = waitUntil(timeout: 10) {
            (try? String(contentsOfFile: path("sshd.log"), encoding: .utf8))?.contains("Server listening") ?? false
        }
        if !ready || process?.isRunning != true {
            throw SSHDaemonError.didNotStart(log: (try? String(contentsOfFile: path("sshd.log"), encoding: .utf8)) ?? "")
        }
    }

    /// Kills the listener and every process it forked (the open sessions): the guest is gone.
    public func stop() {
        guard let process else { return }
        for child in descendants(of: process.pid).reversed() { kill(child, SIGKILL) }
        process.stop(grace: 2)
        self.process = nil
        try? FileManager.default.removeItem(atPath: path("sshd.log"))
    }

    /// Swaps the host key for the spare one (the guest was rebuilt or replaced); takes effect on
    /// the next start. Returns the new host key.
    @discardableResult
    public func replaceHostKey() throws -> String {
        let previous = hostKey
        let files = FileManager.default
        for suffix in ["", ".pub"] {
            try? files.removeItem(atPath: path("old_host") + suffix)
            try files.moveItem(atPath: path("host_ed25519") + suffix, toPath: path("old_host") + suffix)
            try files.moveItem(atPath: spareKeyPath + suffix, toPath: path("host_ed25519") + suffix)
            try files.moveItem(atPath: path("old_host") + suffix, toPath: spareKeyPath + suffix)
        }
        precondition(previous != hostKey)
        return hostKey
    }

    public static func generateKey(at path: String) throws {
        let result = try runCommand(sshKeygen, ["-q", "-t", "ed25519", "-N", "", "-C", "pcloud-test", "-f", path])
        if result.status != 0 { throw SSHDaemonError.keygenFailed(result.output) }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

public enum SSHDaemonError: Error, CustomStringConvertible {
    case didNotStart(log: String)
    case keygenFailed(String)

    public var description: String {
        switch self {
        case .didNotStart(let log): return "sshd did not start: \(log)"
        case .keygenFailed(let output): return "ssh-keygen failed: \(output)"
        }
    }
}

/// Every process below `pid`, parents before children (from /proc's parent links).
public func descendants(of pid: Int32) -> [Int32] {
    var parents: [Int32: [Int32]] = [:]
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let child = Int32(entry),
            let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 1, let parent = Int32(fields[1]) { parents[parent, default: []].append(child) }
    }
    var result: [Int32] = []
    var queue = [pid]
    while let next = queue.first {
        queue.removeFirst()
        for child in parents[next] ?? [] {
            result.append(child)
            queue.append(child)
        }
    }
    return result
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
public func freeLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length)
            return getsockname(fd, pointer, &length)
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
