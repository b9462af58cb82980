import PCloudModel

/// The recovery and escalation policy of one deployable: pure and deterministic. Given an input,
/// the runtime state and the time, it updates the state and returns the ordered plan, each step
/// with the sentence a person reads in the event log. No I/O; the clock is an argument.
public struct Policy: Sendable {
    public let deployable: Deployable
    /// How long a started guest may take to become reachable before it counts as failed.
    public let bootTimeout: Duration
    let resources: [ResourceID: Resource]
    /// Resource ids in definition order (assemblies, then their resources).
    let order: [ResourceID]
    /// Their definitions, in the same order: reconcile walks both without a lookup per resource.
    let definitions: [Resource]
    /// `first -> then` edges: what must run before a resource, and what runs only after it.
    let before: [ResourceID: [ResourceID]]
    let after: [ResourceID: [ResourceID]]
    /// Each (assembly, instance) pair a placed resource's instance may run as, with the instance.
    let placedIDs: [ResourceID: PlacedInstance]

    public init(_ deployable: Deployable, bootTimeout: Duration = .seconds(300)) {
        self.deployable = deployable
        self.bootTimeout = bootTimeout
        var resources: [ResourceID: Resource] = [:]
        var order: [ResourceID] = []
        var definitions: [Resource] = []
        for assembly in deployable.assemblies {
            for resource in assembly.resources {
                let id = ResourceID(assembly: assembly.name, resource: resource.name)
                resources[id] = resource
                order.append(id)
                definitions.append(resource)
            }
        }
        var placedIDs: [ResourceID: PlacedInstance] = [:]
        for placed in deployable.resources {
            for number in 0..<placed.instanceCount {
                let instance = PlacedInstance(placed: placed, number: number)
                for assembly in placed.over {
                    let id = ResourceID(assembly: assembly, resource: instance.name)
                    resources[id] = placed.instance(number)
                    placedIDs[id] = instance
                    order.append(id)
                    definitions.append(placed.instance(number))
                }
            }
        }
        self.placedIDs = placedIDs
        self.resources = resources
        self.order = order
        self.definitions = definitions
        var before: [ResourceID: [ResourceID]] = [:]
        var after: [ResourceID: [ResourceID]] = [:]
        // A placed resource in an ordering stands for every copy of every instance.
        func expand(_ id: ResourceID) -> [ResourceID] {
            id.isPlaced ? order.filter { placedIDs[$0]?.placed.name == id.resource } : [id]
        }
        for edge in deployable.ordering {
            let firsts = expand(edge.first).filter { resources[$0] != nil }
            for then in expand(edge.then) where resources[then] != nil {
                before[then, default: []] += firsts
                for first in firsts { after[first, default: []].append(then) }
            }
        }
        self.before = before
        self.after = after
    }

    /// Applies `input` at `now` and plans what follows from it.
    public func handle(_ input: PolicyInput, _ runtime: inout DeployableRuntime, now: Double) -> [PlannedAction] {
        plan(CollectionOfOne(input), &runtime, now: now)
    }

    /// Applies several inputs that arrived together, then plans once (the cheap path under load).
    public func handle(_ inputs: [PolicyInput], _ runtime: inout DeployableRuntime, now: Double) -> [PlannedAction] {
        plan(inputs, &runtime, now: now)
    }

    /// The runtime is moved into the plan and back, never copied: a caller that holds it alone
    /// pays for no copy of its dictionaries.
    func plan(_ inputs: some Collection<PolicyInput>, _ runtime: inout DeployableRuntime, now: Double) -> [PlannedAction] {
        var plan = Plan(policy: self, runtime: consume runtime, now: now)
        plan.expireMaintenance()
        for input in inputs { plan.apply(input) }
        plan.reconcile()
        plan.reportState()
        let actions = plan.actions
        runtime = plan.runtime
        return actions
    }

    /// When the engine should send `.tick` next (a restart held back by backoff, a ban running out), if ever.
    public func nextWake(_ runtime: DeployableRuntime) -> Double? {
        let resources = runtime.resources.values.compactMap { $0.state == .stopped ? $0.notBefore : nil }
        let assemblies = runtime.assemblies.values.compactMap { $0.pending == nil ? $0.notBefore : nil }
        let bans = runtime.placement?.wake.map { [$0] } ?? []
        let interrupted = runtime.resources.values.compactMap { $0.interrupted?.until }
        let maintenance = runtime.maintenance?.compactMap(\.until) ?? []
        return (resources + assemblies + bans + interrupted + maintenance).min()
    }

    /// The definition an operation on `id` runs: an assembly's resource or a placed instance
    /// (`a/ClusterIP:7` runs instance 7 of ClusterIP on assembly a).
    public func resourceDefinition(for id: ResourceID) -> Resource? { resources[id] }
}

/// One planning pass: the state being changed and the actions collected so far.
struct Plan {
    let policy: Policy
    var runtime: DeployableRuntime
    let now: Double
    var actions: [PlannedAction] = []

    init(policy: Policy, runtime: DeployableRuntime, now: Double) {
        self.policy = policy
        self.runtime = runtime
        self.now = now
    }

    mutating func add(_ step: Step, _ reason: String) {
        actions.append(PlannedAction(step, reason))
    }

    var deployableName: String { policy.deployable.name }

    mutating func apply(_ input: PolicyInput) {
        switch input {
        case .start: operatorStart()
        case .stop: operatorStop()
        case .assemblyStarted(let name, let address, let hostname): assemblyStarted(name, address: address, hostname: hostname)
        case .assemblyStartFailed(let name, let reason): assemblyStartFailed(name, reason: reason)
        case .assemblyReachable(let name): assemblyReachable(name)
        case .assemblyLost(let name, let reason): assemblyLost(name, reason: reason)
        case .assemblyFenced(let name): assemblyOff(name, how: .fence)
        case .assemblyStopped(let name): assemblyOff(name, how: .stop)
        case .operationCompleted(let id, let action, let code, let incarnation, let detail):
            operationCompleted(id, action, code, incarnation: incarnation, detail: detail)
        case .livenessChecked(let name, let result, let incarnation): livenessChecked(name, result, incarnation: incarnation)
        case .guestReported(let name, let power, let reason, let source):
            guestReported(name, power, reason: reason, source: source)
        case .tick: break
        case .cleanup(let id): cleanup(id)
        case .maintenanceOn(let element, let until): maintenanceOn(element, until: until)
        case .maintenanceOff(let element): maintenanceOff(element)
        }
    }

    mutating func operatorStart() {
        if runtime.desired != .running { resetPlacement() }  // a fresh spread, keeping what runs
        runtime.desired = .running
        runtime.failed = false
        runtime.wasRunning = false
        runtime.monitoring = true
        runtime.failures.reset()
        for name in runtime.assemblies.keys { runtime.assemblies[name]?.notBefore = nil }
    }

    mutating func operatorStop() {
        runtime.desired = .stopped
    }

    mutating func cleanup(_ id: ResourceID) {
        guard var resource = runtime.resources[id] else { return }
        resource.failures.reset()
        resource.notBefore = nil
        resource.disabled = false
        resource.lastFailure = nil
        if resource.state.isParked || resource.state == .failed || resource.state == .stopped {
            // Probe again: it may have been fixed by hand.
            resource.state = .unknown
        }
        resource.lastReason = "cleaned up by the operator"
        runtime.resources[id] = resource
    }

    /// The resources of one assembly, in definition order.
    func resources(of assembly: String) -> [ResourceID] {
        policy.order.filter { $0.assembly == assembly }
    }
}
