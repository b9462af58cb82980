import PCloudModel
import PCloudPolicy

/// Drives the policy through a scenario by hand: a clock, the runtime and every action planned so far.
/// Pure: the "world" is the test, answering the actions the way the original's test stubs did.
struct Scenario {
    let policy: Policy
    var runtime: DeployableRuntime
    var now: Double = 1_000
    var log: [PlannedAction] = []

    init(_ deployable: Deployable, bootTimeout: Duration = .seconds(300)) {
        policy = Policy(deployable, bootTimeout: bootTimeout)
        runtime = DeployableRuntime(for: deployable)
    }

    @discardableResult
    mutating func send(_ input: PolicyInput) -> [PlannedAction] {
        let actions = policy.handle(input, &runtime, now: now)
        log += actions
        return actions
    }

    mutating func advance(_ seconds: Double) { now += seconds }

    /// The incarnation of an assembly (operation results must carry it).
    func incarnation(_ assembly: String) -> Int { runtime.assemblies[assembly]!.incarnation }

    @discardableResult
    mutating func complete(_ id: String, _ action: ResourceAction, _ code: OCFExitCode) -> [PlannedAction] {
        let id = ResourceID(id)!
        return send(.operationCompleted(id, action, code, incarnation: incarnation(id.assembly), detail: nil))
    }

    /// Starts the deployable and brings every assembly up with the given addresses.
    mutating func bringUp(addresses: [String: String] = [:]) {
        send(.start)
        for assembly in policy.deployable.assemblies {
            send(.assemblyStarted(assembly.name, address: addresses[assembly.name], hostname: nil))
            send(.assemblyReachable(assembly.name))
        }
    }

    func state(_ id: String) -> ResourceState { runtime.resources[ResourceID(id)!]!.state }
}

/// The executable steps of a plan as short text (`probe bar/angus`), decisions left out.
func steps(_ actions: [PlannedAction]) -> [String] {
    actions.filter { !$0.step.isDecision }.map { $0.step.description }
}

/// Every step including decisions.
func allSteps(_ actions: [PlannedAction]) -> [String] {
    actions.map { $0.step.description }
}

/// The original's test configuration: deployable foo, assembly bar (escalation 3 in 10 s) with one
/// lsb httpd service monitored every second.
func originalTestDeployable(
    resourceEscalation: EscalationLimit? = nil, resourceClass: ResourceClass = .lsb,
    parameters: [Parameter] = [], onFail: OnFail = .restart
) -> Deployable {
    let angus = Resource(
        name: "angus", resourceClass: resourceClass, type: resourceClass == .ocf ? "Dummy" : "httpd",
        provider: resourceClass == .ocf ? "heartbeat" : nil, parameters: parameters,
        monitor: OperationTiming(interval: .seconds(1), timeout: .seconds(5)), onFail: onFail,
        escalation: resourceEscalation)
    return Deployable(
        name: "foo", infrastructure: .static,
        assemblies: [Assembly(name: "bar", escalation: EscalationLimit(failures: 3, period: .seconds(10)), resources: [angus])])
}
