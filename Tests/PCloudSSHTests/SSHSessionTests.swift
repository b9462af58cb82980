import Foundation
import PCloudSSH
import PCloudTestSupport
import Testing

/// Sessions against a real OpenSSH sshd on 127.0.0.1.
@Suite(.enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"))
struct SSHSessionTests {
    private func daemon() throws -> SSHDaemon {
        let daemon = try SSHDaemon()
        try daemon.start()
        return daemon
    }

    private func session(_ daemon: SSHDaemon, pinned: String? = nil, options: SSHSessionOptions = .init()) -> SSHSession {
        SSHSession(
            host: daemon.host, port: daemon.port, user: NSUserName(),
            identity: SSHIdentity(privateKeyPath: daemon.clientKeyPath), pinnedHostKey: pinned, options: options)
    }

    @Test func execReturnsStdoutStderrAndExitStatus() async throws {
        let sshd = try daemon()
        defer { withExtendedLifetime(sshd) {} }
        let result = try await session(sshd).exec("echo out; echo err >&2; exit 3")
        #expect(result.exitStatus == 3)
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "err\n")
        #expect(result.exitSignal == nil)
    }

    @Test func quotedArgumentsReachTheRemoteCommandUnchanged() async throws {
        let sshd = try daemon()
        defer { withExtendedLifetime(sshd) {} }
        let values = [
            "two words", "it's", "$HOME and ${PATH}", "`id`", "\"double\"", "back\\slash", "new\nline", "", ";rm -rf /x",
        ]
        let result = try await session(sshd).exec(ShellQuote.command(["printf", "%s\\0"] + values))
        #expect(result.exitStatus == 0)
        #expect(result.stdout.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init) == values)
    }

    @Test func slowCommandTimesOutAndTheSessionStaysUsable() async throws {
        let sshd = try daemon()
        defer { withExtendedLifetime(sshd) {} }
        let ssh = session(sshd)
        await #expect(throws: SSHError.self) { try await ssh.exec("sleep 3", timeout: .milliseconds(300)) }
        do {
            _ = try await ssh.exec("sleep 3", timeout: .milliseconds(300))
            Issue.record("a 3 s command finished within 300 ms")
        } catch let error as SSHError {
            guard case .timeout = error else {
                Issue.record("expected a timeout, got \(error)")
                return
            }
        }
        let after = try await ssh.exec("echo still here")
        #expect(after.stdout == "still here\n")
    }

    @Test func outputBeyondTheLimitIsDroppedAndFlagged() async throws {
        let sshd = try daemon()
        defer { withExtendedLifetime(sshd) {} }
        let result = try await session(sshd).exec("head -c 300000 /dev/zero | tr '\\0' x", outputLimit: 65536)
        #expect(result.exitStatus == 0)
        #expect(result.stdout.utf8.count == 65536)
        #expect(result.stdoutTruncated)
        #expect(!result.stderrTruncated)
    }

    @Test func unpinnedSessionReturnsThePresentedHostKey() async throws {
        let sshd = try daemon()
        defer { withExtendedLifetime(sshd) {} }
        let presented = try await session(sshd).connect()
        #expect(presented == sshd.hostKey)
        #expect(presented.hasPrefix("ssh-ed25519 "))
    }

    @Test func differentHostKeyIsRefusedWithBothKeys() async throws {
        let sshd = try daemon()
        defer { withExtendedLifetime(sshd) {} }
        let pinned = sshd.spareKey + " some comment"
        let ssh = session(sshd, pinned: pinned)
        do {
            _ = try await ssh.exec("echo must not run")
            Issue.record("a session with the wrong host key ran a command")
        } catch let error as SSHError {
            #expect(error == .hostKeyMismatch(expected: HostKey(pinned)!.description, presented: sshd.hostKey))
        }
    }

    @Test func pinnedMatchingKeyIsAccepted() async throws {
        let sshd = try daemon()
        defer { withExtendedLifetime(sshd) {} }
        let result = try await session(sshd, pinned: sshd.hostKey + " comment").exec("echo ok")
        #expect(result.stdout == "ok\n")
    }

    @Test func wrongClientKeyIsReportedAsAuthenticationFailure() async throws {
        let sshd = try daemon()
        defer { withExtendedLifetime(sshd) {} }
        let stranger = sshd.spareKeyPath
        let ssh = SSHSession(
            host: sshd.host, port: sshd.port, user: NSUserName(), identity: SSHIdentity(privateKeyPath: stranger))
        do {
            _ = try await ssh.exec("true")
            Issue.record("a key that is not authorized got in")
        } catch let error as SSHError {
            guard case .authenticationFailed(_, let keyFile, _) = error else {
                Issue.record("got \(error)")
                return
            }
            #expect(keyFile == stranger)
        }
    }

    @Test func refusedConnectionIsReportedNotHung() async throws {
        let ssh = SSHSession(
            host: "127.0.0.1", port: freeLoopbackPort(), identity: SSHIdentity(privateKeyPath: "/nonexistent"))
        do {
            _ = try await ssh.exec("true", timeout: .seconds(5))
            Issue.record("a command ran with nothing listening")
        } catch let error as SSHError {
            guard case .connectFailed(_, _, let reason) = error else {
                Issue.record("got \(error)")
                return
            }
            #expect(reason.contains("refused"))
        }
    }

    @Test func sessionReconnectsAfterSSHDRestarts() async throws {
        let sshd = try daemon()
        defer { withExtendedLifetime(sshd) {} }
        let ssh = session(sshd, options: SSHSessionOptions(initialBackoff: .milliseconds(50), maximumBackoff: .milliseconds(500)))
        #expect(try await ssh.exec("echo before").stdout == "before\n")
        sshd.stop()
        await #expect(throws: SSHError.self) { try await ssh.exec("echo down", timeout: .seconds(2)) }
        try sshd.start()
        var answer: String?
        let deadline = ContinuousClock.now + .seconds(15)
        while answer == nil && ContinuousClock.now < deadline {
            answer = try? await ssh.exec("echo after").stdout
            if answer == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(answer == "after\n")
    }

    @Test func replacedHostKeyIsRefusedAfterReconnect() async throws {
        let sshd = try daemon()
        defer { withExtendedLifetime(sshd) {} }
        let ssh = session(sshd)  // unpinned: the first key seen is pinned from then on
        let first = try await ssh.connect()
        sshd.stop()
        let replaced = try sshd.replaceHostKey()
        try sshd.start()
        var refusal: SSHError?
        let deadline = ContinuousClock.now + .seconds(10)
        while refusal == nil && ContinuousClock.now < deadline {
            do {
                _ = try await ssh.exec("echo must not run")
                Issue.record("a command ran on a guest whose host key changed")
                return
            } catch let error as SSHError {
                if case .hostKeyMismatch = error { refusal = error } else { try await Task.sleep(for: .milliseconds(100)) }
            }
        }
        #expect(refusal == .hostKeyMismatch(expected: first, presented: replaced))
    }

    @Test func idleSessionSendsKeepalives() async throws {
        let sshd = try SSHDaemon(logLevel: "DEBUG1")
        try sshd.start()
        defer { withExtendedLifetime(sshd) {} }
        let ssh = session(sshd, options: SSHSessionOptions(keepaliveInterval: 1))
        _ = try await ssh.exec("true")
        let sent = waitUntil(timeout: 10) { sshd.log.contains("keepalive@libssh2.org") }
        #expect(sent, "no keepalive reached sshd while the session was idle")
        #expect(try await ssh.exec("echo alive").stdout == "alive\n")
    }

    @Test func commandsAfterTheLoopStopsFailInsteadOfHanging() async throws {
        let loop = SSHEventLoop()
        let ssh = SSHSession(host: "127.0.0.1", port: 9, identity: SSHIdentity(privateKeyPath: "/nonexistent"), loop: loop)
        loop.shutdown()
        _ = await loop.sessionCount()  // answered by the last pass of the loop, or rejected after it
        await #expect(throws: SSHError.closed) { try await ssh.exec("true", timeout: .seconds(30)) }
    }

    /// cped stops its loop at shutdown: the sessions are closed (sshd sees the client leave) and
    /// the thread is gone once the call returns.
    @Test func shutdownAndWaitClosesTheSessionsAndEndsTheThread() async throws {
        let sshd = try SSHDaemon(logLevel: "DEBUG1")
        try sshd.start()
        defer { withExtendedLifetime(sshd) {} }
        let loop = SSHEventLoop()
        let ssh = SSHSession(
            host: sshd.host, port: sshd.port, user: NSUserName(), identity: SSHIdentity(privateKeyPath: sshd.clientKeyPath),
            loop: loop)
        _ = try await ssh.exec("true")
        let thread = try #require(loop.threadID)
        #expect(await loop.shutdownAndWait() == 1)
        #expect(waitUntil(timeout: 5) { !FileManager.default.fileExists(atPath: "/proc/self/task/\(thread)") })
        let left = waitUntil(timeout: 10) { sshd.log.contains("Received disconnect") || sshd.log.contains("Disconnected from") }
        #expect(left, "\(sshd.log.suffix(1500))")
        #expect(await loop.shutdownAndWait() == 1, "a second call returns at once")
    }

    @Test func cancellingTheCallerEndsTheCommandAndKeepsTheSession() async throws {
        let sshd = try daemon()
        defer { withExtendedLifetime(sshd) {} }
        let ssh = session(sshd)
        _ = try await ssh.exec("true")
        let slow = Task { try await ssh.exec("sleep 20", timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(300))
        slow.cancel()
        do {
            _ = try await slow.value
            Issue.record("a cancelled 20 s command returned a result")
        } catch let error as SSHError {
            #expect(error == .cancelled)
        }
        #expect(try await ssh.exec("echo next").stdout == "next\n")
    }
}
