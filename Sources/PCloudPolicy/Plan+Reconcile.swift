import PCloudModel

/// Desired against observed: start what should run (in order), stop what should not (in reverse),
/// and keep every started resource monitored. Runs after every input; never starts anything twice.
extension Plan {
    mutating func reconcile() {
        if runtime.desired == .running {
            for assembly in policy.deployable.assemblies { reconcileStart(assembly.name) }
            place()
            for (id, definition) in zip(policy.order, policy.definitions) { reconcileRunning(id, definition) }
        } else {
            for id in policy.order.reversed() { reconcileStopping(id) }
            for assembly in policy.deployable.assemblies { reconcileAssemblyStop(assembly.name) }
            if runtime.monitoring, runtime.assemblies.values.allSatisfy({ $0.state == .stopped || $0.state == .unknown }),
                runtime.assemblies.values.allSatisfy({ $0.pending == nil })
            {
                runtime.monitoring = false
                add(.stopMonitoring, "every assembly of \(deployableName) is stopped: monitoring ends")
            }
        }
    }

    mutating func reconcileStart(_ name: String) {
        guard let assembly = runtime.assemblies[name], assembly.pending == nil, !runtime.isUnmanaged(assembly: name) else {
            return
        }
        switch assembly.state {
        case .unknown, .stopped:
            if let notBefore = assembly.notBefore, notBefore > now { return }
            runtime.assemblies[name]?.notBefore = nil
            runtime.assemblies[name]?.pending = .start
            let again = assembly.state == .stopped ? " again" : ""
            add(.startAssembly(name), "deployable \(deployableName) is started: starting assembly \(name)\(again)")
        case .unreachable, .failed:
            guard runtime.heldBy(assembly: name) == nil else { return }  // maintenance: reported, not fenced
            fence(name, "assembly \(name) is not confirmed off: fencing it before it is started again")
        case .starting, .running:
            break
        }
    }

    /// One resource of a started deployable: probe, start when its `first`s run, restart when failed,
    /// reconfigure when a referenced value changed, stop when something it needs went away.
    mutating func reconcileRunning(_ id: ResourceID, _ definition: Resource) {
        guard runtime.assemblies[id.assembly]?.state == .running, let resource = runtime.resources[id],
            resource.pending == nil
        else { return }
        // Unmanaged: probed (that is monitoring), never started, stopped or reconfigured.
        if resource.state != .unknown, runtime.isUnmanaged(id) { return }
        switch resource.state {
        case .unknown:
            guard let arguments = arguments(for: id, timeout: definition.monitor.timeout) else { return }
            if let interrupted = resource.interrupted {
                guard interrupted.until <= now else { return announce(id, interrupted) }
                runtime.resources[id]?.interrupted = nil
                probe(
                    id, arguments,
                    "the \(interrupted.action.rawValue) of \(id) interrupted by the controller's restart has timed out: probing \(id)"
                )
                return
            }
            if resource.leftMaintenance == true {
                probe(id, arguments, "\(id) left maintenance: probing it before anything is done to it")
            } else {
                probe(id, arguments, "assembly \(id.assembly) is running: probing \(id) to see whether it runs already")
            }
        case .stopped:
            guard isPlacedHere(id), otherCopiesOff(id) else { return }
            guard !resource.disabled, var reason = startable(id, resource) else { return }
            if let move = moveReason(id) { reason = "\(move): starting \(id)" }
            if resource.leftMaintenance == true {
                reason = "\(id) left maintenance and was found not running: starting it"
                runtime.resources[id]?.leftMaintenance = nil
            }
            guard let arguments = arguments(for: id, timeout: definition.startTimeout) else { return }
            runtime.resources[id]?.pending = .start
            runtime.resources[id]?.pendingDeadline = now + arguments.timeout.seconds
            runtime.resources[id]?.state = .starting
            runtime.resources[id]?.notBefore = nil
            runtime.resources[id]?.appliedParameters = arguments.parameters
            add(.start(id, arguments), reason)
        case .failed where !isPlacedHere(id), .running where !isPlacedHere(id):
            stop(id, "\(moveReason(id) ?? "\(id) should not run on \(id.assembly)"): stopping \(id)")
        case .failed:
            stop(id, "\(id) failed: stopping it before it is started again")
        case .running:
            // An unmanaged first that stopped is the operator's doing: what runs after it is left alone.
            if let missing = firsts(of: id).first(where: { isGone($0) && !runtime.isUnmanaged($0) }) {
                stop(id, "\(label(missing)) is not running and \(id) runs only after it: stopping \(id)")
            } else if let applied = resource.appliedParameters, let current = parameters(of: definition),
                applied != current
            {
                let changed = current.keys.sorted().filter { applied[$0] != current[$0] }
                let list = changed.map { "\($0)=\(current[$0]!)" }.joined(separator: ", ")
                add(.reconfigure(id), "\(id) uses \(list) now: restarting it with the new value")
                stop(id, "reconfiguring \(id)")
            }
        case .starting, .unrecoverable, .blocked:
            break
        }
    }

    /// A resource that another runs after is gone: failed, stopped, parked, or lost with its guest.
    /// One merely not probed yet on a guest being (re)reached, as after a controller restart, is not.
    func isGone(_ id: ResourceID) -> Bool {
        guard let state = runtime.resources[id]?.state else { return true }
        switch state {
        case .running: return false
        case .unknown:
            let assembly = runtime.assemblies[id.assembly]
            return !(assembly?.state == .running || (assembly?.state == .starting && assembly?.pending == nil))
        default: return true
        }
    }

    /// The sentence that explains a start, or nil while it has to wait.
    func startable(_ id: ResourceID, _ resource: ResourceRuntime) -> String? {
        if let notBefore = resource.notBefore, notBefore > now { return nil }
        let firsts = firsts(of: id)
        guard firsts.allSatisfy({ runtime.resources[$0]?.state == .running }) else { return nil }
        if firsts.isEmpty { return "\(id) is not running: starting it" }
        var labels: [String] = []
        for first in firsts {
            let name = policy.placedIDs[first]?.placed.name ?? first.description
            if !labels.contains(name) { labels.append(name) }
        }
        let list = labels.joined(separator: ", ")
        return "\(id) is not running and \(list) \(firsts.count == 1 ? "runs" : "run"): starting it"
    }

    /// What must run before `id`: of a placed resource, only the copies placed where they run.
    func firsts(of id: ResourceID) -> [ResourceID] {
        (policy.before[id] ?? []).filter { isPlacedHere($0) }
    }

    /// How a first is named in a reason: a placed resource by its name (`ClusterIP`), else `db/mariadb`.
    func label(_ id: ResourceID) -> String {
        policy.placedIDs[id].map { "\($0.placed.name) (\($0.name) on \(id.assembly))" } ?? id.description
    }

    mutating func stop(_ id: ResourceID, _ reason: String) {
        guard let resource = runtime.resources[id], resource.pending == nil,
            let definition = policy.resources[id], let runtimeAssembly = runtime.assemblies[id.assembly]
        else { return }
        cancelMonitor(id, reason)
        let parameters = resource.appliedParameters ?? parameters(for: id) ?? [:]
        runtime.resources[id]?.pending = .stop
        runtime.resources[id]?.pendingDeadline = now + definition.stopTimeout.seconds
        add(
            .stop(
                id,
                OperationArguments(
                    parameters: parameters, timeout: definition.stopTimeout,
                    incarnation: runtimeAssembly.incarnation)), reason)
    }

    mutating func probe(_ id: ResourceID, _ arguments: OperationArguments, _ reason: String) {
        runtime.resources[id]?.pending = .probe
        add(.probe(id, arguments), reason)
    }

    /// Says once that an interrupted operation is being waited out.
    mutating func announce(_ id: ResourceID, _ interrupted: InterruptedOperation) {
        guard !interrupted.said else { return }
        runtime.resources[id]?.interrupted?.said = true
        let left = DurationText.format(.milliseconds(Int64(max(0, (interrupted.until - now) * 1000).rounded())))
        add(
            .awaitInterrupted(id),
            "the \(interrupted.action.rawValue) of \(id) was in flight when the controller stopped and may still be running "
                + "in the guest: nothing is done to \(id) until it has timed out (in \(left)), then it is probed")
    }

    /// Stopping the deployable: a resource stops once everything that runs after it has stopped.
    mutating func reconcileStopping(_ id: ResourceID) {
        if runtime.assemblies[id.assembly]?.state == .running, let resource = runtime.resources[id], resource.pending == nil,
            resource.state == .unknown, let interrupted = resource.interrupted
        {
            // Its interrupted start may yet leave it running: wait it out and probe, so the stop finds it.
            guard interrupted.until <= now else { return announce(id, interrupted) }
            guard let definition = policy.resources[id], let arguments = arguments(for: id, timeout: definition.monitor.timeout)
            else { return }
            runtime.resources[id]?.interrupted = nil
            probe(
                id, arguments,
                "the \(interrupted.action.rawValue) of \(id) interrupted by the controller's restart has timed out: probing \(id) before it is stopped"
            )
            return
        }
        if runtime.assemblies[id.assembly]?.state == .running, let resource = runtime.resources[id], resource.pending == nil,
            resource.state == .unknown, resource.leftMaintenance == true, !runtime.isUnmanaged(id),
            let definition = policy.resources[id], let arguments = arguments(for: id, timeout: definition.monitor.timeout)
        {
            // Left maintenance while the deployable stops: probed first, so the stop finds what the operator left running.
            runtime.resources[id]?.leftMaintenance = nil
            probe(id, arguments, "\(id) left maintenance: probing it before it is stopped")
            return
        }
        guard runtime.assemblies[id.assembly]?.state == .running, let resource = runtime.resources[id],
            resource.pending == nil, resource.state == .running || resource.state == .failed, !runtime.isUnmanaged(id)
        else { return }
        let thens = policy.after[id] ?? []
        if let waiting = thens.first(where: { [.running, .starting, .failed].contains(runtime.resources[$0]?.state) }) {
            _ = waiting
            return
        }
        let why = runtime.failed ? "deployable \(deployableName) failed" : "deployable \(deployableName) is stopping"
        stop(id, thens.isEmpty ? "\(why): stopping \(id)" : "\(why): stopping \(id) after what runs after it")
    }

    mutating func reconcileAssemblyStop(_ name: String) {
        guard let assembly = runtime.assemblies[name], assembly.pending == nil, runtime.heldBy(assembly: name) == nil else {
            return
        }
        switch assembly.state {
        case .running, .starting:
            let busy = resources(of: name).contains {
                runtime.resources[$0]?.pending != nil || runtime.resources[$0]?.state == .running
                    || runtime.resources[$0]?.state == .failed || runtime.resources[$0]?.interrupted != nil
                    || (runtime.resources[$0]?.leftMaintenance == true && runtime.resources[$0]?.state == .unknown)
            }
            guard !busy || assembly.state == .starting else { return }
            forgetResources(of: name)
            runtime.assemblies[name]?.pending = .stop
            runtime.assemblies[name]?.incarnation += 1
            add(.stopAssembly(name), "deployable \(deployableName) is stopping: shutting down assembly \(name)")
        case .unreachable, .failed:
            fence(name, "assembly \(name) is not confirmed off: fencing it")
        case .unknown, .stopped:
            break
        }
    }

    /// The deployable's overall state, reported when it changes.
    mutating func reportState() {
        let state = derivedState()
        if state == .running || state == .degraded { runtime.wasRunning = true }
        guard state != runtime.state else { return }
        runtime.state = state
        add(.report(state), "deployable \(deployableName) is \(state.rawValue)")
    }

    func derivedState() -> DeployableState {
        let assemblies = runtime.assemblies.values
        if runtime.desired == .stopped {
            let off = assemblies.allSatisfy { ($0.state == .stopped || $0.state == .unknown) && $0.pending == nil }
            if runtime.failed { return .failed }
            return off ? .stopped : .stopping
        }
        let wanted = runtime.resources.filter { isPlacedHere($0.key) }
        let unplaced = runtime.placement.map { placement in
            policy.deployable.resources.contains { placed in
                (0..<placed.instanceCount).contains { placement.assignment[placed.instanceName($0)] == nil }
            }
        }
        let up =
            assemblies.allSatisfy { $0.state == .running }
            && wanted.allSatisfy { id, resource in
                resource.pending == nil
                    && (resource.state == .running || resource.state.isParked || resource.disabled || runtime.isUnmanaged(id))
            }
            && runtime.resources.filter { !isPlacedHere($0.key) }.values.allSatisfy {
                $0.pending == nil && $0.state != .running && $0.state != .failed
            }
        if up {
            let parked =
                wanted.contains { id, resource in
                    resource.state.isParked || resource.disabled || (resource.state != .running && runtime.isUnmanaged(id))
                } || unplaced == true
            return parked ? .degraded : .running
        }
        return runtime.wasRunning ? .recovering : .starting
    }
}
