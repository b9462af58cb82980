import PCloudModel
import PCloudPolicy

/// The benchmark deployable, equivalent to the CIB that scripts/bench/cib_gen.py writes: assembly
/// `nI` for each cluster node, resource `rK` (ocf:pacemaker:Dummy, monitored every 10 s) on assembly
/// `n(K mod A)`, and the first F resources with a failed monitor.
struct PolicyWorld {
    let size: BenchSize
    let deployable: Deployable
    let policy: Policy
    /// A runtime in which every assembly and resource runs (brought there through the policy itself).
    private(set) var running: DeployableRuntime
    let now: Double = 1_000

    init(_ size: BenchSize) throws {
        self.size = size
        var assemblies = (0..<size.assemblies).map {
            Assembly(name: "n\($0)", escalation: EscalationLimit(failures: 3, period: .seconds(600)))
        }
        for r in 0..<size.resources {
            assemblies[r % size.assemblies].resources.append(
                Resource(
                    name: "r\(r)", resourceClass: .ocf, type: "Dummy", provider: "pacemaker",
                    monitor: OperationTiming(interval: .seconds(10), timeout: .seconds(20)),
                    escalation: EscalationLimit(failures: 3, period: .seconds(600))))
        }
        deployable = Deployable(name: "bench", infrastructure: .static, assemblies: assemblies)
        policy = Policy(deployable)
        running = DeployableRuntime(for: deployable)
        try bringUp()
    }

    /// Feeds what the engine would: start, every assembly started and reachable, every probe
    /// "not running", every start "ok". Not timed.
    private mutating func bringUp() throws {
        _ = policy.handle(.start, &running, now: now)
        let names = deployable.assemblies.map(\.name)
        let up =
            names.map { PolicyInput.assemblyStarted($0, address: nil, hostname: nil) } + names.map(PolicyInput.assemblyReachable)
        let probes = policy.handle(up, &running, now: now)
        try expect(count(probes, \.isProbe) == size.resources, "every resource probed")
        let starts = policy.handle(completions(.probe, .notRunning, probes.compactMap(\.step.operationID)), &running, now: now)
        try expect(count(starts, \.isStart) == size.resources, "every resource started")
        let monitors = policy.handle(completions(.start, .ok, starts.compactMap(\.step.operationID)), &running, now: now)
        try expect(count(monitors, \.isMonitor) == size.resources, "every resource monitored")
        try expect(running.state == .running, "the deployable running")
    }

    /// The inputs timed: the first F resources' monitors report "not running", all together.
    var failedMonitors: [PolicyInput] {
        completions(
            .monitor, .notRunning, (0..<size.failed).map { ResourceID(assembly: "n\($0 % size.assemblies)", resource: "r\($0)") })
    }

    func completions(_ action: ResourceAction, _ code: OCFExitCode, _ ids: [ResourceID]) -> [PolicyInput] {
        ids.map { .operationCompleted($0, action, code, incarnation: running.assemblies[$0.assembly]!.incarnation, detail: nil) }
    }

    /// The plan must restart exactly the failed resources (stop each; nothing else is stopped).
    func check(_ plan: [PlannedAction]) throws {
        try expect(count(plan, \.isStop) == size.failed, "\(size.failed) stops in the plan")
        try expect(
            plan.filter { if case .restartResource = $0.step { true } else { false } }.count == size.failed,
            "\(size.failed) restart decisions in the plan")
    }

    private func count(_ plan: [PlannedAction], _ test: (Step) -> Bool) -> Int { plan.filter { test($0.step) }.count }

    private func expect(_ condition: Bool, _ what: String) throws {
        if !condition { throw MeasuredProcess.SpawnError(description: "setup for \(size) went wrong: expected \(what)") }
    }
}

extension Step {
    var isProbe: Bool { if case .probe = self { true } else { false } }
    var isStart: Bool { if case .start = self { true } else { false } }
    var isStop: Bool { if case .stop = self { true } else { false } }
    var isMonitor: Bool { if case .scheduleMonitor = self { true } else { false } }

    /// The resource of a probe or start.
    var operationID: ResourceID? {
        switch self {
        case .probe(let id, _), .start(let id, _): id
        default: nil
        }
    }
}
