import Foundation
import PCloudSSH
import PCloudTestSupport
import Testing

/// Hundreds of persistent sessions (to a few real sshd) driven by one loop thread.
@Suite(.enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"))
struct ManySessionsTests {
    @Test func twoHundredSessionsRunConcurrentlyOnOneLoopThread() async throws {
        let sessionCount = Int(ProcessInfo.processInfo.environment["PCLOUD_SSH_SESSIONS"] ?? "") ?? 200
        let daemons = try (0..<4).map { _ in try SSHDaemon(maxSessions: 100) }
        for daemon in daemons { try daemon.start() }
        defer { withExtendedLifetime(daemons) {} }
        let loop = SSHEventLoop()
        defer { loop.shutdown() }
        let sessions = (0..<sessionCount).map { index in
            let daemon = daemons[index % daemons.count]
            return SSHSession(
                host: daemon.host, port: daemon.port, user: NSUserName(),
                identity: SSHIdentity(privateKeyPath: daemon.clientKeyPath), pinnedHostKey: daemon.hostKey,
                loop: loop)
        }
        let threadsBefore = threadCount()
        if ProcessInfo.processInfo.environment["PCLOUD_SSH_TRACE"] != nil {
            Task {
                try await Task.sleep(for: .seconds(40))
                _ = await loop.sessionCount()
            }
        }
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, session) in sessions.enumerated() {
                group.addTask { (index, try await session.exec("echo \(index)", timeout: .seconds(60)).stdout) }
            }
            var answers: [Int: String] = [:]
            for try await (index, stdout) in group { answers[index] = stdout }
            return answers
        }
        #expect(answers.count == sessionCount)
        #expect(answers.allSatisfy { $0.value == "\($0.key)\n" })
        // Every session is still open and served by the same single thread.
        #expect(await loop.sessionCount() == sessionCount)
        let loopThread = try #require(loop.threadID)
        #expect(FileManager.default.fileExists(atPath: "/proc/self/task/\(loopThread)"))
        #expect(threadCount() < threadsBefore + 10, "a thread per session would add 200")
        // A second round reuses the persistent sessions (no new connections needed).
        let second = try await withThrowingTaskGroup(of: Int32.self) { group in
            for session in sessions { group.addTask { try await session.exec("true", timeout: .seconds(60)).exitStatus } }
            return try await group.reduce(0) { $0 + $1 }
        }
        #expect(second == 0)
    }

    private func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
    }
}
