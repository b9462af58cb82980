import Foundation
import PCloudModel
import PCloudPolicy
import PCloudStore
import PCloudTestSupport
import Testing

@testable import PCloudController

/// The status view's failure windows (what the dashboard shows as "1 of 3 in 2m"): failures still
/// counting against the escalation limit, expired ones left out, and the guest details it keeps.
@Test func theStatusCountsFailuresAgainstTheirEscalationLimitAndLeavesExpiredOnesOut() throws {
    let yaml = """
        name: shop
        infrastructure: {type: static}
        monitor: {method: ssh}
        assemblies:
          - name: box
            address: 127.0.0.1
            escalation: {failures: 4, period: 10m}
            ssh: {host-key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDefinitionKeyDefinitionKeyDefinitionK"}
            resources:
              - name: app
                class: exec
                exec: {monitor: "true", start: "true", stop: "true"}
                escalation: {failures: 3, period: 2m}
                failure-expiry: 60s
              - name: free
                class: exec
                exec: {monitor: "true", start: "true", stop: "true"}
                escalation: never

        """
    let deployable = try DefinitionLoader(root: BuiltProducts.packageRoot).parseDeployable(text: yaml, file: "test")
    var runtime = DeployableRuntime(for: deployable)
    let app = ResourceID(assembly: "box", resource: "app")
    for at in [100.0, 150.0] { _ = runtime.resources[app]?.failures.record(at: at, limit: nil, expiry: nil) }
    runtime.resources[app]?.notBefore = 200
    runtime.assemblies["box"]?.bootID = "3f1c2a9e-0000-4000-8000-000000000000"
    runtime.assemblies["box"]?.uptime = 4321
    let whole = String(decoding: try JSONEncoder().encode(runtime), as: UTF8.self)
    let detail = String(decoding: try JSONSerialization.data(withJSONObject: ["runtime": whole]), as: UTF8.self)
    let record = RuntimeStateRecord(deployable: "shop", state: "running", detail: detail, updatedAt: 2)

    // At 155 s both failures count (expiry 60 s); at 200 s the one at 100 s has expired.
    let early = DeployableStatus.make(deployable, states: [record], failures: [], lastEvent: nil, now: 155)
    let late = DeployableStatus.make(deployable, states: [record], failures: [], lastEvent: nil, now: 200)
    let box = try #require(early.assemblies.first)
    #expect(box.resources[0].window == .init(recent: 2, limit: 3, period: 120, notBefore: 200))
    #expect(late.assemblies[0].resources[0].window?.recent == 1)
    #expect(box.resources[1].window == .init(recent: 0, limit: nil, period: nil, notBefore: nil))
    #expect(box.window == .init(recent: 0, limit: 4, period: 600, notBefore: nil))
    #expect(box.bootID == "3f1c2a9e-0000-4000-8000-000000000000" && box.uptime == 4321)
    #expect(box.hostKey?.hasPrefix("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDefinitionKey") == true, "the definition's pin")
}
