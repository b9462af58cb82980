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
    /// In the environment of the server and every process it forks, to find them all at stop.
    let tag = "PCLOUD_SSHD=\(UUID().uuidString)"
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
            process = try SpawnedProcess("/usr/sbin/ip", ["netns", "exec", namespace, Self.sshd] + arguments, tag: tag)
        } else {
            process = try SpawnedProcess(Self.sshd, arguments, tag: tag)
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
        // The listener is frozen, then killed while frozen, so it accepts nothing more (let run again
        // to take a SIGTERM, it would first accept a connection waiting in its backlog and fork a
        // session for it). Its sessions are every process it forked (descendants), carrying its
        // environment (sshd re-executes itself per connection and an orphan loses its parent
        // link), or holding a socket on its port (after authentication `sshd: user@notty` has a
        // new environment): each is killed and waited out, so none answers after stop returns.
        kill(process.pid, SIGSTOP)
        let tcp = ["/proc/\(process.pid)/net/tcp", "/proc/\(process.pid)/net/tcp6"].map { table in
            (try? String(contentsOfFile: table, encoding: .utf8)) ?? ""
        }
        let sessions = {
            Set(processes(taggedWith: self.tag) + descendants(of: process.pid) + processes(holdingPort: self.port, tables: tcp))
                .subtracting([process.pid, getpid()])
        }
        let found = sessions()
        kill(process.pid, SIGKILL)
        _ = waitUntil(timeout: 5) {
            let left = found.union(sessions()).filter(processRuns)
            for pid in left { kill(pid, SIGKILL) }
            return left.isEmpty
        }
        process.stop(grace: 2)  // reaps it
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

/// Whether `pid` is a live process (not gone, not a zombie waiting to be reaped).
func processRuns(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
}

/// The processes whose environment holds `tag` (`NAME=VALUE`), from /proc (root reads every one).
func processes(taggedWith tag: String) -> [Int32] {
    let wanted = Array(tag.utf8)
    return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry -> Int32? in
        guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else {
            return nil
        }
        return data.split(separator: 0).contains { Array($0) == wanted } ? pid : nil
    }
}

/// The processes holding a TCP socket whose local port is `port`, per socket tables (the text of
/// /proc/PID/net/tcp, read in the server's network namespace).
func processes(holdingPort port: Int, tables: [String]) -> [Int32] {
    let suffix = String(format: ":%04X", port)
    var inodes: Set<String> = []
    for table in tables {
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            if fields.count > 9, fields[1].hasSuffix(suffix) { inodes.insert("socket:[\(fields[9])]") }
        }
    }
    guard !inodes.isEmpty else { return [] }
    return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry -> Int32? in
        guard let pid = Int32(entry), let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(entry)/fd") else {
            return nil
        }
        let holds = fds.contains { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/fd/\(fd)")).map(inodes.contains) ?? false
        }
        return holds ? pid : nil
    }
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
