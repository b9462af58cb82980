import Foundation
import PCloudTestSupport
import Testing

/// The drivers' threads and connections stop with cped's ServiceGroup: SIGTERM while an ssh
/// deployable runs closes its ssh session (sshd sees the client disconnect) and the ssh loop,
/// and cped exits 0.
@Test(.enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"))
func sigtermClosesTheSSHSessionsAndTheLoopAfterTheEngines() async throws {
    let guest = try SSHDaemon(logLevel: "DEBUG1")
    try guest.start()
    let cped = try ControllerProcess(extraArguments: ["--ssh-key", guest.clientKeyPath])
    let yaml = """
        name: quiet
        infrastructure: {type: static}
        monitor: {method: ssh, interval: 1s, timeout: 5s}
        assemblies:
          - name: box
            address: 127.0.0.1
            ssh: {user: root, port: \(guest.port), host-key: "\(guest.hostKey)"}

        """
    _ = try await APIClient.unix(cped.socketPath).call(.POST, "/v1/deployables", body: yaml)
    let pcloudsh = BuiltProducts.path("pcloudsh")
    #expect(try runCommand(pcloudsh, ["deployable_start", "quiet", "--socket", cped.socketPath]).status == 0)
    let waited = try runCommand(
        pcloudsh, ["deployable_wait", "quiet", "--for", "running", "--timeout", "60s", "--socket", cped.socketPath])
    #expect(waited.status == 0, "\(waited.output)")
    cped.process.signal(SIGTERM)
    #expect(waitUntil(timeout: 30) { !cped.process.isRunning })
    #expect(cped.process.process.terminationStatus == 0, "\(cped.log.suffix(2000))")
    let log = cped.log
    #expect(log.contains("stopped: closed 1 ssh session(s) and the ssh loop"), "\(log.suffix(2000))")
    #expect(waitUntil(timeout: 10) { guest.log.contains("Received disconnect") }, "\(guest.log.suffix(1500))")
}
