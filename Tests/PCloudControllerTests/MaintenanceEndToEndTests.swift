import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PCloudTestSupport
import Testing

/// Maintenance on a real sshd guest through cped and pcloudsh: with the resource in maintenance (kept
/// over a controller restart), its process is killed and pcloud only reports it; out of
/// maintenance, it is probed and started again, and the event says why.
@Suite(.enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"))
struct MaintenanceEndToEndTests {
    final class World {
        let guest: SSHDaemon
        let cped: ControllerProcess
        let files: URL

        init() throws {
            guest = try SSHDaemon()
            try guest.start()
            files = URL(fileURLWithPath: "/tmp/pcloud-maint-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            cped = try ControllerProcess(extraArguments: ["--ssh-key", guest.clientKeyPath])
        }

        deinit {
            cped.stop()
            try? FileManager.default.removeItem(at: files)
        }

        func path(_ name: String) -> String { files.appendingPathComponent(name).path }

        /// The resource runs while its state file exists; every start appends a line in the guest.
        var yaml: String {
            """
            name: patch
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
                      start: "echo start >> \(path("app.log")); touch \(path("app.state"))"
                      stop: "rm -f \(path("app.state"))"
                    monitor: {interval: 1s, timeout: 5s}

            """
        }

        var starts: Int {
            ((try? String(contentsOfFile: path("app.log"), encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        func pcloudsh(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try runCommand(BuiltProducts.path("pcloudsh"), arguments + ["--socket", cped.socketPath])
        }

        func events() async -> [[String: Any]] {
            let answer = try? await APIClient.unix(cped.socketPath).call(.GET, "/v1/events?deployable=patch&limit=10000")
            return answer?.json as? [[String: Any]] ?? []
        }

        /// The first event of `kind` after `seq`, followed on the event stream as it is published
        /// (nil when none comes within a minute).
        func awaitEvent(_ kind: String, after seq: Int) async -> [String: Any]? {
            var request = HTTPClientRequest(
                url: APIClient.unix(cped.socketPath).base + "/v1/events/stream?deployable=patch&after=\(seq)")
            request.method = .GET
            guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(60)) else { return nil }
            var buffer = Data()
            do {
                for try await chunk in response.body {
                    buffer.append(Data(buffer: chunk))
                    while let newline = buffer.firstIndex(of: 10) {
                        let line = buffer[buffer.startIndex..<newline]
                        buffer = Data(buffer[(newline + 1)...])
                        if let event = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
                            event["kind"] as? String == kind
                        {
                            return event
                        }
                    }
                }
            } catch {}
            return nil
        }
    }

    @Test func anUnmanagedResourceThatDiesIsOnlyReportedThenRepairedWhenMaintenanceEnds() async throws {
        let world = try World()
        _ = try await APIClient.unix(world.cped.socketPath).call(.POST, "/v1/deployables", body: world.yaml)
        let started = try world.pcloudsh(["deployable_start", "patch", "--wait", "--timeout", "60s"])
        #expect(started.status == 0, "\(started.output)\n\(world.cped.log.suffix(3000))")
        #expect(world.starts == 1)

        let on = try world.pcloudsh(["maintenance_on", "patch", "box/app"])
        #expect(on.status == 0, "\(on.output)")
        let began = await world.awaitEvent("maintenance.on", after: 0)
        #expect(began != nil, "\(world.cped.log.suffix(3000))")
        // Stored: a controller killed and restarted still has it (and probes, finding it running).
        try world.cped.crashAndRestart()
        let resumed = try world.pcloudsh(["deployable_wait", "patch", "--for", "running", "--timeout", "60s"])
        #expect(resumed.status == 0, "\(resumed.output)\n\(world.cped.log.suffix(3000))")
        let status = try world.pcloudsh(["deployable_status", "patch"])
        #expect(status.output.contains("In maintenance (unmanaged): box/app"), "\(status.output)")
        let seqBeforeKill = (await world.events()).compactMap { $0["seq"] as? Int }.max() ?? 0

        // The operator's work kills the resource: reported, nothing done.
        try FileManager.default.removeItem(atPath: world.path("app.state"))
        let reported = await world.awaitEvent("maintenance.failure-reported", after: seqBeforeKill)
        #expect(reported != nil, "\(world.cped.log.suffix(3000))")
        #expect((reported?["message"] as? String)?.contains("box/app is unmanaged") == true, "\(reported ?? [:])")
        let json = try world.pcloudsh(["deployable_status", "patch", "--json"])
        let view = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let app = ((view?["assemblies"] as? [[String: Any]])?.first?["resources"] as? [[String: Any]])?.first
        #expect(app?["unmanaged"] as? Bool == true && app?["state"] as? String == "stopped", "\(json.output)")
        let metrics = try await APIClient.unix(world.cped.socketPath).call(.GET, "/metrics")
        #expect(metrics.text.contains(#"pcloud_unmanaged_elements{deployable="patch",kind="resource"} 1"#), "\(metrics.text)")
        // Still watched through the failure: started again by hand, it is seen running; killed again, reported again.
        let seqBeforeHand = (await world.events()).compactMap { $0["seq"] as? Int }.max() ?? 0
        FileManager.default.createFile(atPath: world.path("app.state"), contents: nil)
        let seen = try world.pcloudsh([
            "deployable_wait", "patch", "--for", "running", "--after", "\(seqBeforeHand)", "--timeout", "60s",
        ])
        #expect(seen.status == 0, "\(seen.output)\n\(world.cped.log.suffix(3000))")
        let seqBeforeSecondKill = (await world.events()).compactMap { $0["seq"] as? Int }.max() ?? 0
        try FileManager.default.removeItem(atPath: world.path("app.state"))
        #expect(await world.awaitEvent("maintenance.failure-reported", after: seqBeforeSecondKill) != nil)

        // Maintenance off: probed first, found stopped, started again, the reason in the event.
        let during = (await world.events()).filter { ($0["seq"] as? Int ?? 0) > seqBeforeKill }.compactMap {
            $0["kind"] as? String
        }
        #expect(
            !during.contains { ["resource.start", "resource.stop", "resource.restart", "assembly.fence"].contains($0) },
            "\(during)")
        #expect(world.starts == 1 && !FileManager.default.fileExists(atPath: world.path("app.state")))
        let seqBeforeOff = (await world.events()).compactMap { $0["seq"] as? Int }.max() ?? 0
        let off = try world.pcloudsh(["maintenance_off", "patch", "box/app"])
        #expect(off.status == 0, "\(off.output)")
        let start = await world.awaitEvent("resource.start", after: seqBeforeOff)
        #expect(
            start?["message"] as? String == "box/app left maintenance and was found not running: starting it", "\(start ?? [:])")
        let repaired = try world.pcloudsh(["deployable_wait", "patch", "--for", "running", "--timeout", "60s"])
        #expect(repaired.status == 0, "\(repaired.output)")
        #expect(FileManager.default.fileExists(atPath: world.path("app.state")))
        #expect(world.starts == 2)
        let after = (await world.events()).filter { ($0["seq"] as? Int ?? 0) > seqBeforeOff }.compactMap { $0["kind"] as? String }
        #expect(Array(after.prefix(2)) == ["maintenance.off", "resource.probe"], "\(after)")
        #expect(try world.pcloudsh(["maintenance_off", "patch", "box/app"]).status != 0)  // not in maintenance any more
        let stopped = try world.pcloudsh(["deployable_stop", "patch", "--wait", "--timeout", "60s"])
        #expect(stopped.status == 0, "\(stopped.output)")
    }

    @Test func badMaintenanceRequestsAreRefusedNamingTheField() async throws {
        let cped = try ControllerProcess()
        let api = APIClient.unix(cped.socketPath)
        let yaml = try String(
            contentsOf: BuiltProducts.packageRoot.appendingPathComponent("Deployables/wordpress.yaml"), encoding: .utf8)
        _ = try await api.call(.POST, "/v1/deployables", body: yaml)
        func refusal(_ method: HTTPMethod, _ query: String) async throws -> (UInt, String?) {
            let answer = try await api.call(method, "/v1/deployables/wordpress/maintenance?\(query)")
            return (answer.status, (answer.json as? [String: String])?["field"])
        }
        #expect(try await refusal(.POST, "element=a%2Fb%2Fc") == (400, "element"))
        #expect(try await refusal(.POST, "element=nowhere") == (404, "element"))
        #expect(try await refusal(.POST, "element=&for=soon") == (400, "for"))
        #expect(try await refusal(.POST, "for=0s") == (400, "for"))
        #expect(try await refusal(.POST, "") == (409, "name"))  // not started
        #expect(try await refusal(.DELETE, "") == (409, "name"))
        let missing = try await api.call(.POST, "/v1/deployables/nope/maintenance")
        #expect(missing.status == 404 && (missing.json as? [String: String])?["field"] == "name")
    }
}
