import Foundation
import PCloudModel
import PCloudPolicy
import PCloudTestSupport
import Testing

/// pcloud's placement compared with Pacemaker's own (`crm_simulate` from pacemaker-cli-utils) for the
/// ClusterIP clone of Deployables/clusterip.yaml: the same CIB situation, the same node for each instance.
@Suite(.serialized) struct CrmSimulateComparisonTests {
    static let crmSimulate = "/usr/sbin/crm_simulate"
    static let skip = missingPrerequisite(executables: [crmSimulate])

    static func clusterIP() throws -> Deployable {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try DefinitionLoader(root: root).loadDeployable(file: root.appendingPathComponent("Deployables/clusterip.yaml"))
    }

    /// Where Pacemaker puts each instance after the transition it computes: instance number → node
    /// (absent: stopped). Instances the transition does not touch stay where the CIB says they run.
    static func pacemakerPlacement(_ cib: PacemakerCIB) throws -> [Int: String] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pcloud-cib-\(UUID()).xml")
        try cib.xml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try runCommand(crmSimulate, ["-x", file.path, "-R"])
        #expect(result.output.contains("Transition Summary:"), "\(result.output)")
        var placement = cib.running
        let pattern = try NSRegularExpression(pattern: #"^\s*\* (\w+)\s+\#(cib.placed.name):(\d+)\s+\(\s*([^)]*?)\s*\)"#)
        for line in result.output.split(separator: "\n").map(String.init) {
            let range = NSRange(line.startIndex..., in: line)
            guard let match = pattern.firstMatch(in: line, range: range) else { continue }
            let verb = String(line[Range(match.range(at: 1), in: line)!])
            let number = Int(line[Range(match.range(at: 2), in: line)!])!
            let nodes = String(line[Range(match.range(at: 3), in: line)!])
            placement[number] =
                verb == "Stop" ? nil : nodes.components(separatedBy: "->").last!.trimmingCharacters(in: .whitespaces)
        }
        return placement
    }

    /// The policy, with every operation answered successfully (probes: not running).
    struct Driver {
        let policy: Policy
        var runtime: DeployableRuntime
        var queue: [PlannedAction] = []
        var holdFence = false

        init(_ deployable: Deployable) {
            policy = Policy(deployable)
            runtime = DeployableRuntime(for: deployable)
        }

        mutating func send(_ input: PolicyInput) { queue += policy.handle(input, &runtime, now: 10) }

        mutating func settle() {
            while !queue.isEmpty {
                switch queue.removeFirst().step {
                case .startAssembly(let name):
                    send(.assemblyStarted(name, address: nil, hostname: nil))
                    send(.assemblyReachable(name))
                case .probe(let id, let a):
                    send(.operationCompleted(id, .probe, .notRunning, incarnation: a.incarnation, detail: nil))
                case .start(let id, let a): send(.operationCompleted(id, .start, .ok, incarnation: a.incarnation, detail: nil))
                case .stop(let id, let a): send(.operationCompleted(id, .stop, .ok, incarnation: a.incarnation, detail: nil))
                case .fenceAssembly(let name) where !holdFence: send(.assemblyFenced(name))
                default: break
                }
            }
        }

        /// Instance number → the assembly it runs on.
        var placement: [Int: String] {
            var result: [Int: String] = [:]
            for (id, resource) in runtime.resources where resource.state == .running {
                if let number = PlacedResource.split(id.resource).number { result[number] = id.assembly }
            }
            return result
        }
    }

    @Test(.disabled(if: skip != nil, "\(skip ?? "")"))
    func theInitialSpreadIsPacemakers() throws {
        let deployable = try Self.clusterIP()
        var driver = Driver(deployable)
        driver.send(.start)
        driver.settle()
        let pacemaker = try Self.pacemakerPlacement(
            PacemakerCIB(placed: deployable.resources[0], online: ["a": true, "b": true]))
        #expect(pacemaker.count == 33)
        #expect(driver.placement == pacemaker)
    }

    @Test(.disabled(if: skip != nil, "\(skip ?? "")"))
    func aFailedMonitorWithMigrationThresholdOneMovesTheInstanceAsPacemakerDoes() throws {
        let deployable = try Self.clusterIP()
        var driver = Driver(deployable)
        driver.send(.start)
        driver.settle()
        let before = driver.placement
        driver.send(.operationCompleted(ResourceID("b/ClusterIP:7")!, .monitor, .notRunning, incarnation: 0, detail: nil))
        driver.settle()
        let cib = PacemakerCIB(placed: deployable.resources[0], online: ["a": true, "b": true], running: before, failed: [7])
        let pacemaker = try Self.pacemakerPlacement(cib)
        #expect(pacemaker[7] == "a")
        #expect(driver.placement == pacemaker)
    }

    @Test(.disabled(if: skip != nil, "\(skip ?? "")"))
    func anAssemblyGoingAwayMovesItsInstancesAsPacemakerDoesAndTheyStayWhenItReturns() throws {
        let deployable = try Self.clusterIP()
        var driver = Driver(deployable)
        driver.send(.start)
        driver.settle()
        let before = driver.placement
        driver.holdFence = true
        driver.send(.assemblyLost("b", reason: "stopped"))
        driver.settle()
        driver.send(.assemblyFenced("b"))  // confirmed off; b is started again but nothing moves back
        driver.holdFence = false
        driver.settle()
        let away = PacemakerCIB(placed: deployable.resources[0], online: ["a": true, "b": false], running: before)
        let pacemakerAway = try Self.pacemakerPlacement(away)
        #expect(pacemakerAway.values.allSatisfy { $0 == "a" } && pacemakerAway.count == 33)
        #expect(driver.placement == pacemakerAway)
        let back = PacemakerCIB(placed: deployable.resources[0], online: ["a": true, "b": true], running: pacemakerAway)
        #expect(try Self.pacemakerPlacement(back) == driver.placement)
        #expect(driver.runtime.assemblies["b"]?.state == .running)
    }
}
