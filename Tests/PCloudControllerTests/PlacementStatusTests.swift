import Foundation
import PCloudModel
import PCloudPolicy
import PCloudStore
import PCloudTestSupport
import Testing

@testable import PCloudController

/// The ClusterIP clone as `deployable_status` shows it: where each instance runs, and failed actions.
@Test func theStatusViewShowsWhereEachCloneInstanceRunsAndTheFailedActions() throws {
    let deployable = try DefinitionLoader(root: BuiltProducts.packageRoot)
        .loadDeployable(file: BuiltProducts.packageRoot.appendingPathComponent("Deployables/clusterip.yaml"))
    let policy = Policy(deployable)
    var runtime = DeployableRuntime(for: deployable)
    var queue = policy.handle(.start, &runtime, now: 1)
    func settle() {
        while !queue.isEmpty {
            let input: PolicyInput? =
                switch queue.removeFirst().step {
                case .startAssembly(let name): .assemblyStarted(name, address: nil, hostname: nil)
                case .probe(let id, let a): .operationCompleted(id, .probe, .notRunning, incarnation: a.incarnation, detail: nil)
                case .start(let id, let a): .operationCompleted(id, .start, .ok, incarnation: a.incarnation, detail: nil)
                case .stop(let id, let a): .operationCompleted(id, .stop, .ok, incarnation: a.incarnation, detail: nil)
                default: nil
                }
            guard let input else { continue }
            queue += policy.handle(input, &runtime, now: 1)
            if case .assemblyStarted(let name, _, _) = input {
                queue += policy.handle(.assemblyReachable(name), &runtime, now: 1)
            }
        }
    }
    settle()
    queue += policy.handle(
        .operationCompleted(ResourceID("b/ClusterIP:7")!, .monitor, .notRunning, incarnation: 0, detail: nil), &runtime, now: 2)
    settle()
    let whole = String(decoding: try JSONEncoder().encode(runtime), as: UTF8.self)
    let detail = String(decoding: try JSONSerialization.data(withJSONObject: ["runtime": whole]), as: UTF8.self)
    let record = RuntimeStateRecord(deployable: "clusterip", state: runtime.state.rawValue, detail: detail, updatedAt: 2)
    let status = DeployableStatus.make(deployable, states: [record], failures: [], lastEvent: nil)

    let clone = try #require(status.placed.first)
    #expect(clone.clone == "CloneIP" && clone.globallyUnique && clone.agent == "ocf:heartbeat:IPaddr2")
    #expect(clone.instances.count == 33)
    #expect(clone.instances[0] == .init(name: "ClusterIP:0", assembly: "a", state: "running", failures: 0))
    #expect(clone.instances[7] == .init(name: "ClusterIP:7", assembly: "a", state: "running", failures: 1))
    #expect(clone.instances[9] == .init(name: "ClusterIP:9", assembly: "b", state: "running", failures: 0))
    #expect(
        status.failedActions.map { "\($0.resource) \($0.action) on \($0.assembly) '\($0.meaning)' (\($0.code))" } == [
            "ClusterIP:7 monitor on b 'not running' (7)"
        ])
}

@Test func deployableStatusListsTheCloneSetLikeCrmMon() async throws {
    let cped = try ControllerProcess()
    let yaml = try String(
        contentsOf: BuiltProducts.packageRoot.appendingPathComponent("Deployables/clusterip.yaml"), encoding: .utf8)
    #expect(try await APIClient.unix(cped.socketPath).call(.POST, "/v1/deployables", body: yaml).status == 201)
    let table = try runCommand(BuiltProducts.path("pcloudsh"), ["deployable_status", "clusterip", "--socket", cped.socketPath])
    #expect(table.status == 0, "\(table.output)")
    #expect(table.output.contains("Full List of Resources:\n  * Clone Set: CloneIP [ClusterIP] (unique):\n"))
    #expect(table.output.contains("    * ClusterIP:32\t(ocf:heartbeat:IPaddr2):\t Stopped\n"))
    let json = try runCommand(
        BuiltProducts.path("pcloudsh"), ["deployable_status", "clusterip", "--json", "--socket", cped.socketPath])
    let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
    let placed = try #require(object?["placed"] as? [[String: Any]])
    #expect((placed.first?["instances"] as? [[String: Any]])?.count == 33)
}
