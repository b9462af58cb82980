import Foundation
import PCloudTestSupport
import Testing

/// A started deployable cannot be deleted, through the API or pcloudsh's store: its engine would go
/// on restarting resources for a deployable nobody can stop. Once stopped, it is deleted.
@Suite(.enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"))
struct RunningDeletionTests {
    @Test func aStartedDeployableIsNotDeletedUntilItIsStopped() async throws {
        let guest = try SSHDaemon()
        try guest.start()
        let files = URL(fileURLWithPath: "/tmp/pcloud-delete-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: files) }
        let state = files.appendingPathComponent("app.state").path
        let cped = try ControllerProcess(extraArguments: ["--ssh-key", guest.clientKeyPath])
        defer { cped.stop() }
        let api = APIClient.unix(cped.socketPath)
        let yaml = """
            name: keep
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
                      monitor: "test -f \(state) || exit 7"
                      start: "touch \(state)"
                      stop: "rm -f \(state)"
                    monitor: {interval: 1s, timeout: 5s}

            """
        #expect(try await api.call(.POST, "/v1/deployables", body: yaml).status == 201)
        func pcloudsh(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try runCommand(BuiltProducts.path("pcloudsh"), arguments + ["--socket", cped.socketPath])
        }
        #expect(try pcloudsh(["deployable_start", "keep", "--wait", "--timeout", "60s"]).status == 0, "\(cped.log.suffix(3000))")

        let refused = try await api.call(.DELETE, "/v1/deployables/keep")
        #expect(refused.status == 409, "\(refused.text)")
        let message = (refused.json as? [String: String])?["error"] ?? ""
        #expect(message.contains("deployable 'keep' is started (running): stop it first (pcloudsh deployable_stop keep --wait)"), "\(message)")
        #expect((refused.json as? [String: String])?["field"] == "name")
        // pcloudsh writes the store itself: the same rule holds there.
        let offline = try runCommand(BuiltProducts.path("pcloudsh"), ["deployable_delete", "keep", "--store", cped.storePath])
        #expect(offline.status != 0)
        #expect(offline.output.contains("deployable 'keep' is started (running): stop it first"), "\(offline.output)")

        // Still there and still running: the stop finds it and stops its resource.
        let status = try await api.call(.GET, "/v1/deployables/keep/status")
        #expect((status.json as? [String: Any])?["state"] as? String == "running", "\(status.text)")
        #expect(FileManager.default.fileExists(atPath: state))
        let stopped = try pcloudsh(["deployable_stop", "keep", "--wait", "--timeout", "60s"])
        #expect(stopped.status == 0, "\(stopped.output)")
        #expect(!FileManager.default.fileExists(atPath: state))
        #expect(try await api.call(.DELETE, "/v1/deployables/keep").status == 204)
        #expect(try await api.call(.GET, "/v1/deployables/keep").status == 404)
    }
}
