import Foundation
import PCloudModel
import PCloudTestSupport

/// The guests of `pcloud-bench ssh`: real OpenSSH sshd inside network namespaces made here (a veth
/// pair each, 10.213.X.0/30 addresses that exist only inside this machine), several sshd per
/// namespace, and each guest one persistent ssh session to one of them (many sessions share an
/// sshd, as many guests would share a host; each session is its own TCP connection and its own
/// per-connection sshd process). The "victim" sshd serve only the guests whose failure is injected.
final class SSHGuestFleet: @unchecked Sendable {
    struct Guest: Sendable {
        var endpoint: GuestEndpoint
        var server: Int
    }

    let namespaces: [NetworkNamespace]
    let servers: [SSHDaemon]
    /// Indices into `servers` of the sshd that are killed to inject failures.
    let victims: [Int]
    let guests: [Guest]
    /// The one client key every sshd accepts (the monitor has one identity).
    let identityPath: String
    private var cleanup: Int?
    private let made: MadeResources

    init(
        guests count: Int, namespaces namespaceCount: Int, daemonsPerNamespace: Int, victims victimCount: Int,
        guestsPerVictim: Int
    ) throws {
        // Registered before anything exists, so an interrupted setup is undone too.
        let made = MadeResources()
        cleanup = BenchCleanup.register { made.tearDown() }
        var namespaces: [NetworkNamespace] = []
        var servers: [SSHDaemon] = []
        for subnet in try Self.freeSubnets(namespaceCount) {
            namespaces.append(try NetworkNamespace(subnet: subnet))
            made.add(namespace: namespaces.last!)
        }
        self.namespaces = namespaces
        // Every namespace gets `daemonsPerNamespace` bulk sshd; victims are spread over them too.
        var victimIndices: [Int] = []
        for index in 0..<(namespaceCount * daemonsPerNamespace + victimCount) {
            let namespace = namespaces[index % namespaceCount]
            let server = try SSHDaemon(
                host: namespace.guestAddress, port: 2200 + index / namespaceCount, namespace: namespace.name,
                maxSessions: 10, logLevel: "INFO")
            servers.append(server)
            made.add(server: server)
            if index >= namespaceCount * daemonsPerNamespace { victimIndices.append(index) }
        }
        self.servers = servers
        self.victims = victimIndices
        identityPath = servers[0].clientKeyPath
        let authorized = try String(contentsOfFile: identityPath + ".pub", encoding: .utf8)
        for server in servers { try authorized.write(toFile: server.path("authorized_keys"), atomically: true, encoding: .utf8) }
        let bulk = namespaceCount * daemonsPerNamespace
        let victimGuests = min(victimCount * guestsPerVictim, count)
        guests = (0..<count).map { index in
            let server =
                index < victimGuests ? victimIndices[index % victimCount] : (index - victimGuests) % bulk
            let daemon = servers[server]
            return Guest(
                endpoint: GuestEndpoint(
                    name: GuestName(deployable: "bench", assembly: "g\(index)"), host: daemon.host, port: daemon.port,
                    user: NSUserName(), hostKey: daemon.hostKey),
                server: server)
        }
        self.made = made
        for server in servers { try server.start() }
    }

    /// Stops every sshd (and its per-connection processes) and removes the namespaces.
    func stop() {
        if let cleanup { BenchCleanup.remove(cleanup) }
        cleanup = nil
        made.tearDown()
    }

    /// Kills a victim sshd at once: the listener first (so no new connection is accepted), then
    /// every per-connection process, so each open session sees its connection closed and each
    /// reconnect is refused (RST) right away. Returns the instant just before the first kill.
    /// Runs on a thread of its own: scanning /proc and reaping must not stall the cooperative
    /// pool that runs the watch loops being timed.
    /// `injecting` is told the instant just before the first signal: the monitor may report the
    /// loss (pushed on the hang-up) before the kill and its reaping are over.
    func kill(victim server: Int, injecting: @escaping @Sendable (ContinuousClock.Instant) -> Void) async {
        await withCheckedContinuation { continuation in
            Thread {
                self.killNow(victim: server, injecting: injecting)
                continuation.resume()
            }.start()
        }
    }

    private func killNow(victim server: Int, injecting: (ContinuousClock.Instant) -> Void) {
        guard let process = servers[server].process else { return }
        let children = descendants(of: process.pid)
        injecting(ContinuousClock.now)
        Glibc.kill(process.pid, SIGKILL)
        for child in children { Glibc.kill(child, SIGKILL) }
        servers[server].stop()
    }

    /// `count` subnets of 10.213.X.0/30 that no interface here uses (tests pick theirs at random).
    static func freeSubnets(_ count: Int) throws -> [Int] {
        let used = (try? runCommand("/usr/sbin/ip", ["-4", "-o", "addr"]).output) ?? ""
        let free = (0...255).reversed().filter { !used.contains("10.213.\($0).") }
        guard free.count >= count else { throw ValidationErrorText("no free 10.213.X.0/30 subnet left") }
        return Array(free.prefix(count))
    }
}

/// What the fleet made so far, for its cleanup (also from a signal handler, mid-setup).
private final class MadeResources: @unchecked Sendable {
    private let lock = NSLock()
    private var servers: [SSHDaemon] = []
    private var namespaces: [NetworkNamespace] = []

    func add(server: SSHDaemon) { lock.withLock { servers.append(server) } }
    func add(namespace: NetworkNamespace) { lock.withLock { namespaces.append(namespace) } }

    /// Stops every sshd (and its per-connection processes), then removes the namespaces.
    func tearDown() {
        let (servers, namespaces) = lock.withLock { (self.servers, self.namespaces) }
        for server in servers { server.stop() }
        // Their directories too: after a signal the process exits before any deinit runs.
        for server in servers { try? FileManager.default.removeItem(at: server.directory) }
        for namespace in namespaces { _ = try? runCommand("/usr/sbin/ip", ["netns", "del", namespace.name]) }
    }
}

struct ValidationErrorText: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
