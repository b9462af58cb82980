import Foundation
import PCloudTestSupport
import Testing

/// A controller restarted while a resource's start is still running in its guest: the resumed cped
/// waits the start out (until its timeout), probes, and adopts what it finds. The start is never run
/// twice (counted from the guest's side) and the stop leaves nothing running.
@Suite(.enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"))
struct InterruptedStartTests {
    enum Restart: String, CaseIterable, Sendable { case sigkill, sigterm }

    final class World {
        let guest: SSHDaemon
        let cped: ControllerProcess
        let files: URL

        init() throws {
            guest = try SSHDaemon()
            try guest.start()
            files = URL(fileURLWithPath: "/tmp/pcloud-slow-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            cped = try ControllerProcess(extraArguments: ["--ssh-key", guest.clientKeyPath])
        }

        deinit {
            cped.stop()
            try? FileManager.default.removeItem(at: files)
        }

        func path(_ name: String) -> String { files.appendingPathComponent(name).path }

        /// A start that takes 6 s (its timeout 10 s); every start appends a line in the guest.
        var yaml: String {
            """
            name: slow
            infrastructure: {type: static}
            monitor: {method: ssh, interval: 1s, timeout: 5s}
            assemblies:
              - name: box
                address: 127.0.0.1
                ssh: {user: root, port: \(guest.port), host-key: "\(guest.hostKey)"}
                resources:
                  - name: app
                    class: exec
                    exec:
                      monitor: "test -f \(path("app.state")) || exit 7"
                      start: "echo start >> \(path("app.log")); sleep 6; touch \(path("app.state"))"
                      stop: "rm -f \(path("app.state"))"
                    start-timeout: 10s
                    monitor: {interval: 1s, timeout: 5s}

            """
        }

        var starts: Int {
            ((try? String(contentsOfFile: path("app.log"), encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        func pcloudsh(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try runCommand(BuiltProducts.path("pcloudsh"), arguments + ["--socket", cped.socketPath])
        }

        func kinds() async -> [String] {
            let answer = try? await APIClient.unix(cped.socketPath).call(.GET, "/v1/events?deployable=slow&limit=10000")
            return (answer?.json as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        }
    }

    @Test(arguments: Restart.allCases)
    func aStartInFlightAtARestartIsWaitedOutNotRunTwice(restart: Restart) async throws {
        let world = try World()
        _ = try await APIClient.unix(world.cped.socketPath).call(.POST, "/v1/deployables", body: world.yaml)
        #expect(try world.pcloudsh(["deployable_start", "slow"]).status == 0)
        // The start is running in the guest: restart the controller under it.
        #expect(waitUntil(timeout: 60) { world.starts == 1 }, "\(world.cped.log.suffix(3000))")
        switch restart {
        case .sigkill: try world.cped.crashAndRestart()
        case .sigterm:
            let said = try world.cped.terminateAndRestart()
            // The stopping controller said what it interrupted (in its log, and as an event below).
            #expect(said.contains("app was interrupted by the controller stopping"), "\(said.suffix(3000))")
        }
        let waited = try world.pcloudsh(["deployable_wait", "slow", "--for", "running", "--timeout", "60s"])
        #expect(waited.status == 0, "\(waited.output)\n\(world.cped.log.suffix(3000))")
        let kinds = await world.kinds()
        #expect(kinds.contains("resource.interrupted"), "\(kinds)")
        if restart == .sigterm { #expect(kinds.contains("action.interrupted"), "\(kinds)") }
        #expect(world.starts == 1, "the start ran \(world.starts) times in the guest")
        // The stop finds and stops what the one start left running.
        let stopped = try world.pcloudsh(["deployable_stop", "slow", "--wait", "--timeout", "60s"])
        #expect(stopped.status == 0, "\(stopped.output)")
        #expect(!FileManager.default.fileExists(atPath: world.path("app.state")))
        #expect(world.starts == 1)
    }
}
