import Foundation
import PCloudModel
import PCloudMonitor
import PCloudSSH
import PCloudTestSupport
import Testing

/// The ssh monitor against a real sshd on 127.0.0.1; the "guest" is this machine, so its real
/// resource agents, init scripts and shell run the operations.
@Suite(.enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"))
struct SSHMonitorTests {
    private let guestName = GuestName(deployable: "test", assembly: "guest")

    private func guest() throws -> (SSHDaemon, SSHMonitor, GuestEndpoint) {
        let sshd = try SSHDaemon()
        try sshd.start()
        let monitor = SSHMonitor(identity: SSHIdentity(privateKeyPath: sshd.clientKeyPath))
        let endpoint = GuestEndpoint(name: guestName, host: sshd.host, port: sshd.port, user: NSUserName(), hostKey: sshd.hostKey)
        return (sshd, monitor, endpoint)
    }

    @Test func liveGuestIsAliveWithItsUptimeAndBootID() async throws {
        let (sshd, monitor, endpoint) = try guest()
        defer { withExtendedLifetime(sshd) {} }
        let liveness = await monitor.liveness(of: endpoint, timeout: .seconds(10))
        let bootID = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard case .alive(let uptime, let reportedBootID) = liveness else {
            Issue.record("expected alive, got \(liveness)")
            return
        }
        #expect(uptime > .zero)
        #expect(reportedBootID == bootID)
    }

    @Test func deadGuestIsUnreachableWithTheReason() async throws {
        let (sshd, monitor, endpoint) = try guest()
        defer { withExtendedLifetime(sshd) {} }
        guard case .alive = await monitor.liveness(of: endpoint, timeout: .seconds(10)) else {
            Issue.record("the guest was not alive before it was killed")
            return
        }
        sshd.stop()
        var liveness = await monitor.liveness(of: endpoint, timeout: .seconds(5))
        if case .unreachable(let reason) = liveness, reason.contains("connection lost") {
            // The check raced the hang-up; the next one sees the refused reconnect.
            liveness = await monitor.liveness(of: endpoint, timeout: .seconds(5))
        }
        guard case .unreachable(let reason) = liveness else {
            Issue.record("expected unreachable, got \(liveness)")
            return
        }
        #expect(reason.contains("refused") || reason.contains("connection lost"))
    }

    @Test func guestThatNeverAnswersTimesOutInsteadOfHanging() async throws {
        // A socket that listens but never speaks: the kernel accepts the TCP connection, no ssh
        // banner ever comes (like a guest whose packets are dropped after connect).
        let listener = try SilentListener()
        let monitor = SSHMonitor(identity: SSHIdentity(privateKeyPath: "/nonexistent"))
        let endpoint = GuestEndpoint(name: guestName, host: "127.0.0.1", port: listener.port)
        let start = ContinuousClock.now
        let liveness = await monitor.liveness(of: endpoint, timeout: .seconds(1))
        guard case .unreachable(let reason) = liveness else {
            Issue.record("expected unreachable, got \(liveness)")
            return
        }
        #expect(reason.contains("timed out"))
        #expect(ContinuousClock.now - start < .seconds(30), "the check must end by its timeout, not hang")
    }

    @Test func changedHostKeyIsReportedAsMismatch() async throws {
        let (sshd, monitor, pinned) = try guest()
        defer { withExtendedLifetime(sshd) {} }
        var endpoint = pinned
        endpoint.hostKey = sshd.spareKey
        let liveness = await monitor.liveness(of: endpoint, timeout: .seconds(10))
        #expect(liveness == .hostKeyMismatch(expected: sshd.spareKey, presented: sshd.hostKey))
        let result = await monitor.run(
            .monitor, resource: Resource(name: "x", resourceClass: .lsb, type: "x"),
            parameters: [:], on: endpoint, timeout: .seconds(10))
        #expect(result.transportError?.contains("host key mismatch") == true)
    }

    /// A guest whose sshd forces a command (here: print whatever `answer` holds) lies about its
    /// uptime. Each lie is that guest's malformed answer, reported with the reason, and a later true
    /// answer makes it alive again; before, `nan` trapped the controller at every restart.
    @Test func aGuestThatLiesAboutItsUptimeIsUnreachableNotACrash() async throws {
        let sshd = try SSHDaemon()
        let answer = sshd.path("answer")
        let keys = try String(contentsOfFile: sshd.path("authorized_keys"), encoding: .utf8)
        try "command=\"cat '\(answer)'\" \(keys)".write(toFile: sshd.path("authorized_keys"), atomically: true, encoding: .utf8)
        try sshd.start()
        defer { withExtendedLifetime(sshd) {} }
        let monitor = SSHMonitor(identity: SSHIdentity(privateKeyPath: sshd.clientKeyPath))
        let endpoint = GuestEndpoint(name: guestName, host: sshd.host, port: sshd.port, user: NSUserName(), hostKey: sshd.hostKey)
        for lie in ["nan 1", "inf 2", "1e300 3", "-7 4", "9223372036854775807 5", "uptime is great"] {
            try "\(lie)\nboot\n".write(toFile: answer, atomically: true, encoding: .utf8)
            let liveness = await monitor.liveness(of: endpoint, timeout: .seconds(10))
            guard case .unreachable(let reason) = liveness else {
                Issue.record("'\(lie)' gave \(liveness)")
                continue
            }
            #expect(reason.contains("malformed liveness answer"), "\(reason)")
        }
        try "42.5 1\nboot\n".write(toFile: answer, atomically: true, encoding: .utf8)
        #expect(await monitor.liveness(of: endpoint, timeout: .seconds(10)) == .alive(uptime: .milliseconds(42_500), bootID: "boot"))
    }

    @Test func unpinnedGuestPresentsItsKeyForRecording() async throws {
        let (sshd, monitor, pinned) = try guest()
        defer { withExtendedLifetime(sshd) {} }
        var endpoint = pinned
        endpoint.hostKey = nil
        #expect(try await monitor.presentedHostKey(of: endpoint) == sshd.hostKey)
    }

    @Test func ocfDummyStartsMonitorsAndStops() async throws {
        let (sshd, monitor, endpoint) = try guest()
        defer { withExtendedLifetime(sshd) {} }
        let dummy = Resource(name: "pcloud-dummy", resourceClass: .ocf, type: "Dummy", provider: "heartbeat")
        let parameters = ["state": sshd.path("dummy.state")]
        func run(_ action: ResourceAction) async -> OCFExitCode {
            let result = await monitor.run(action, resource: dummy, parameters: parameters, on: endpoint, timeout: .seconds(20))
            #expect(result.transportError == nil)
            return result.code
        }
        #expect(await run(.probe) == .notRunning)
        #expect(await run(.start) == .ok)
        #expect(FileManager.default.fileExists(atPath: sshd.path("dummy.state")))
        #expect(await run(.monitor) == .ok)
        // The resource dies behind pcloud's back: the next monitor sees "not running".
        try FileManager.default.removeItem(atPath: sshd.path("dummy.state"))
        #expect(await run(.monitor) == .notRunning)
        #expect(await run(.start) == .ok)
        #expect(await run(.stop) == .ok)
        #expect(await run(.monitor) == .notRunning)
    }

    @Test func lsbInitScriptIsOperatedWithMappedExitCodes() async throws {
        let (sshd, monitor, endpoint) = try guest()
        defer { withExtendedLifetime(sshd) {} }
        let name = "pcloud-test-\(UUID().uuidString.prefix(8).lowercased())"
        let script = "/etc/init.d/\(name)"
        let flag = sshd.path("lsb.running")
        try """
        #!/bin/sh
        case "$1" in
          start) touch '\(flag)' ;;
          stop) rm -f '\(flag)' ;;
          status) [ -f '\(flag)' ] && exit 0; exit 3 ;;
          *) exit 2 ;;
        esac
        """.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        let resource = Resource(name: "svc", resourceClass: .lsb, type: name)
        func run(_ action: ResourceAction) async -> OCFExitCode {
            await monitor.run(action, resource: resource, parameters: [:], on: endpoint, timeout: .seconds(10)).code
        }
        #expect(await run(.probe) == .notRunning)
        #expect(await run(.start) == .ok)
        #expect(await run(.monitor) == .ok)
        #expect(await run(.stop) == .ok)
        #expect(await run(.monitor) == .notRunning)
    }

    @Test func execCheckGetsParametersIntactThroughTheRemoteShell() async throws {
        let (sshd, monitor, endpoint) = try guest()
        defer { withExtendedLifetime(sshd) {} }
        let file = sshd.path("it's a $file with spaces")
        let message = "two words, 'single' \"double\" $HOME `id` ; exit 1"
        let resource = Resource(
            name: "check", resourceClass: .exec, type: "",
            commands: ExecCommands(
                monitor: "[ -f \"$OCF_RESKEY_file\" ] || exit 7",
                start: "printf %s \"$OCF_RESKEY_message\" > \"$OCF_RESKEY_file\"",
                stop: "rm -f \"$OCF_RESKEY_file\""))
        let parameters = ["file": file, "message": message]
        func run(_ action: ResourceAction) async -> OCFExitCode {
            await monitor.run(action, resource: resource, parameters: parameters, on: endpoint, timeout: .seconds(10)).code
        }
        #expect(await run(.probe) == .notRunning)
        #expect(await run(.start) == .ok)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == message)
        #expect(await run(.monitor) == .ok)
        #expect(await run(.stop) == .ok)
        #expect(await run(.monitor) == .notRunning)
    }

    @Test func forgottenGuestGetsAFreshSession() async throws {
        let (sshd, monitor, endpoint) = try guest()
        defer { withExtendedLifetime(sshd) {} }
        guard case .alive = await monitor.liveness(of: endpoint, timeout: .seconds(10)) else {
            Issue.record("not alive")
            return
        }
        await monitor.forget(endpoint.name)
        guard case .alive = await monitor.liveness(of: endpoint, timeout: .seconds(10)) else {
            Issue.record("not alive after forget")
            return
        }
    }
}

/// A TCP socket on 127.0.0.1 that listens and never answers.
final class SilentListener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw POSIXError(.EADDRINUSE) }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
