import Foundation
import PCloudTestSupport
import Testing

/// The dashboard in a real headless Chromium against a real cped whose static deployable runs on a
/// real sshd guest: log in (a wrong token refused), see it running, break the resource in the
/// guest and watch the failure and the recovery arrive without a reload (three times: the third
/// escalates to restarting the guest, drawn at that level), clean up and stop from the
/// page, a forged POST without the CSRF token refused, nothing loaded from elsewhere, logout.
/// The browser is driven by scripts/browser/dashboard_check.py; screenshots go to
/// .build/test-artifacts/dashboard/.
@Suite(
    .enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"),
    .enabled(if: Chromium.missing == nil, "\(Chromium.missing ?? "")"))
struct DashboardBrowserTests {
    static let screenshots = BuiltProducts.packageRoot.appendingPathComponent(".build/test-artifacts/dashboard")

    final class World {
        let guest: SSHDaemon
        let cped: ControllerProcess
        let files: URL
        let token = UUID().uuidString + UUID().uuidString
        let port = freeLoopbackPort()
        /// cped's name among controllers, when it runs on PostgreSQL.
        let controller: String?

        init() throws {
            guest = try SSHDaemon()
            try guest.start()
            files = URL(fileURLWithPath: "/tmp/pcloud-dash-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            let tokenFile = files.appendingPathComponent("token").path
            try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
            // On PostgreSQL when it is here, so the page's controllers table has a controller to show.
            let postgres = PostgresServer.missing == nil ? try PostgresServer.shared() : nil
            let name = "dash-\(UUID().uuidString.prefix(4))"
            controller = postgres == nil ? nil : name
            var arguments = ["--ssh-key", guest.clientKeyPath, "--tcp", "127.0.0.1:\(port)", "--token-file", tokenFile]
            var store: String?
            if let postgres {
                arguments += ["--store-password-file", postgres.passwordFile, "--controller-name", name]
                store = postgres.tcpURL(try postgres.createDatabase())
            }
            cped = try ControllerProcess(extraArguments: arguments, store: store)
            guard waitUntil(timeout: 30, { portIsOpen("127.0.0.1", UInt16(port)) }) else {
                throw ControllerError("cped's TCP port did not open: \(cped.log.suffix(2000))")
            }
        }

        deinit {
            cped.stop()
            try? FileManager.default.removeItem(at: files)
        }

        func path(_ name: String) -> String { files.appendingPathComponent(name).path }

        /// One guest, one exec resource that runs while its state file exists (its start takes a
        /// second, so a recovery has a length to draw).
        var yaml: String {
            """
            name: web
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
                      start: "sleep 1; touch \(path("app.state"))"
                      stop: "rm -f \(path("app.state"))"
                    monitor: {interval: 1s, timeout: 5s}
                    escalation: {failures: 3, period: 10m}

            """
        }

        /// The guest's host key fingerprint as `ssh-keygen -l` prints it (what the page must show).
        func hostKeyFingerprint() throws -> String {
            try "\(guest.hostKey)\n".write(toFile: path("host.pub"), atomically: true, encoding: .utf8)
            let listed = try runCommand(SSHDaemon.sshKeygen, ["-l", "-E", "sha256", "-f", path("host.pub")])
            return listed.output.split(separator: " ").first { $0.hasPrefix("SHA256:") }.map(String.init) ?? listed.output
        }

        func pcloudsh(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try runCommand(BuiltProducts.path("pcloudsh"), arguments + ["--socket", cped.socketPath])
        }
    }

    @Test func theDashboardShowsFailuresAndRecoveriesLiveAndItsActionsWork() async throws {
        let world = try World()
        let created = try await APIClient.unix(world.cped.socketPath).call(.POST, "/v1/deployables", body: world.yaml)
        #expect(created.status == 201, "\(created.text)")
        #expect(try world.pcloudsh(["deployable_start", "web"]).status == 0)
        let waited = try world.pcloudsh(["deployable_wait", "web", "--for", "running", "--timeout", "60s"])
        try #require(waited.status == 0, "\(waited.output)\n\(world.cped.log.suffix(3000))")

        try? FileManager.default.removeItem(at: Self.screenshots)
        let script = BuiltProducts.packageRoot.appendingPathComponent("scripts/browser/dashboard_check.py").path
        let run = try runCommand(
            "/usr/bin/timeout",
            [
                "180", Chromium.python, script, "--base", "http://127.0.0.1:\(world.port)", "--token-file", world.path("token"),
                "--deployable", "web", "--resource", "box/app", "--break-file", world.path("app.state"),
                "--screenshots", Self.screenshots.path, "--fingerprint", try world.hostKeyFingerprint(),
            ] + (world.controller.map { ["--controller", $0] } ?? []))
        try? run.output.write(to: Self.screenshots.appendingPathComponent("steps.txt"), atomically: true, encoding: .utf8)
        #expect(run.status == 0, "\(run.output)\n\(world.cped.log.suffix(3000))")
        for step in [
            "a wrong token is refused", "failure and recovery appeared without a reload", "escalated to an assembly restart",
            "forged POST without the CSRF token",
            "cleanup from the page", "stop from the page", "all from http://127.0.0.1", "logout",
        ] {
            #expect(run.output.contains("ok: ") && run.output.contains(step), "missing step '\(step)': \(run.output)")
        }
        #expect(FileManager.default.fileExists(atPath: Self.screenshots.appendingPathComponent("deployable-recovered.png").path))
        #expect(!FileManager.default.fileExists(atPath: world.path("app.state")), "the stop from the page ran in the guest")
        #expect(!world.cped.log.contains(world.token), "the token must never be logged")
        #expect(!run.output.contains(world.token), "the token must never be printed")
    }
}
