import Foundation
import PCloudTestSupport
import Testing

/// A guest that stops answering under a running resource (frozen: its connection stays open, so
/// the ssh monitor has no hang-up to push): the resource's monitor is the first to notice (it runs
/// every second, the liveness check only every 30 s). The operation could not reach the guest,
/// which says nothing about the resource: the assembly is lost and fenced, the resource is neither
/// counted as failed nor blocked by a stop that could not reach the guest either, and it runs
/// again once the guest answers again.
@Suite(.enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"))
struct UnreachableGuestTests {
    @Test func aMonitorThatCannotReachItsGuestLosesTheAssemblyInsteadOfFailingOrBlockingTheResource() async throws {
        let guest = try SSHDaemon()
        try guest.start()
        let files = URL(fileURLWithPath: "/tmp/pcloud-unreachable-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        let state = files.appendingPathComponent("svc.state").path
        let cped = try ControllerProcess(extraArguments: ["--ssh-key", guest.clientKeyPath])
        defer {
            cped.stop()
            guest.stop()
            try? FileManager.default.removeItem(at: files)
        }
        let yaml = """
            name: lonely
            infrastructure: {type: static}
            monitor: {method: ssh, interval: 30s, timeout: 5s}
            assemblies:
              - name: solo
                address: 127.0.0.1
                ssh: {user: root, port: \(guest.port), host-key: "\(guest.hostKey)"}
                resources:
                  - name: svc
                    class: exec
                    exec:
                      monitor: "test -f \(state) || exit 7"
                      start: "touch \(state)"
                      stop: "rm -f \(state)"
                    monitor: {interval: 1s, timeout: 5s}
                    stop-on-fail: block

            """
        let api = APIClient.unix(cped.socketPath)
        #expect(try await api.call(.POST, "/v1/deployables", body: yaml).status == 201)
        let started = try runCommand(
            BuiltProducts.path("pcloudsh"),
            ["deployable_start", "lonely", "--wait", "--timeout", "60s", "--socket", cped.socketPath])
        #expect(started.status == 0, "\(started.output)")

        func events() async throws -> [[String: Any]] {
            try await api.call(.GET, "/v1/events?deployable=lonely&limit=10000").json as? [[String: Any]] ?? []
        }
        func resource() async throws -> [String: Any]? {
            let status = try await api.call(.GET, "/v1/deployables/lonely/status").json as? [String: Any]
            let assemblies = status?["assemblies"] as? [[String: Any]] ?? []
            return (assemblies.first?["resources"] as? [[String: Any]])?.first
        }
        func waitFor(_ condition: () async throws -> Bool) async throws -> Bool {
            for _ in 0..<240 {
                if try await condition() { return true }
                try await Task.sleep(for: .milliseconds(500))
            }
            return false
        }

        let frozen = try #require(guest.process.map { [$0.pid] + descendants(of: $0.pid) })
        for pid in frozen { kill(pid, SIGSTOP) }
        let fenced = try await waitFor { try await events().contains { $0["kind"] as? String == "assembly.fenced" } }
        let messages = try await events().compactMap { $0["message"] as? String }
        #expect(fenced, "\(messages)")
        #expect(
            messages.contains { $0.contains("assembly solo was lost") && $0.contains("monitor of solo/svc could not reach it") })
        #expect(!messages.contains { $0.contains("blocked") }, "\(messages)")
        #expect(try await resource()?["failures"] as? Int == 0)

        for pid in frozen { kill(pid, SIGCONT) }
        let back = try await waitFor { try await resource()?["state"] as? String == "running" }
        let later = try await events().compactMap { $0["message"] as? String }
        #expect(back, "\(later)")
        #expect(try await resource()?["failures"] as? Int == 0)
        #expect(FileManager.default.fileExists(atPath: state))
    }
}
