import Foundation
import PCloudModel
import PCloudMonitor
import PCloudSSH
import PCloudTestSupport
import Testing

/// A guest with its own network: sshd inside a network namespace reached over a veth pair.
@Suite(.enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"))
struct NamespacedGuestTests {
    @Test func linkDownMeansTimeoutNotHangAndLinkUpRecovers() async throws {
        let network = try NetworkNamespace(subnet: Int.random(in: 0...255))
        let sshd = try SSHDaemon(host: network.guestAddress, port: 2222, namespace: network.name)
        try sshd.start()
        defer { withExtendedLifetime((network, sshd)) {} }
        let monitor = SSHMonitor(identity: SSHIdentity(privateKeyPath: sshd.clientKeyPath))
        let guest = GuestEndpoint(
            name: GuestName(deployable: "netns", assembly: "guest"), host: network.guestAddress, port: 2222,
            user: NSUserName(), hostKey: sshd.hostKey)
        guard case .alive = await monitor.liveness(of: guest, timeout: .seconds(10)) else {
            Issue.record("the namespaced guest was not alive")
            return
        }

        try network.setLink(up: false)
        let start = ContinuousClock.now
        let down = await monitor.liveness(of: guest, timeout: .seconds(1))
        guard case .unreachable(let reason) = down else {
            Issue.record("expected unreachable with the link down, got \(down)")
            return
        }
        #expect(reason.contains("timed out"))
        #expect(ContinuousClock.now - start < .seconds(30), "the check must end by its timeout")

        try network.setLink(up: true)
        var back: Liveness = down
        let deadline = ContinuousClock.now + .seconds(40)
        while ContinuousClock.now < deadline {
            back = await monitor.liveness(of: guest, timeout: .seconds(2))
            if case .alive = back { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        guard case .alive = back else {
            Issue.record("the guest did not come back after the link came up: \(back)")
            return
        }
    }
}
