import PCloudModel

/// What happens to assemblies: started, reached, lost, fenced; their escalation to the deployable.
extension Plan {
    mutating func assemblyStarted(_ name: String, address: String?, hostname: String?) {
        guard var assembly = runtime.assemblies[name], assembly.pending == .start else { return }
        assembly.pending = nil
        assembly.state = .starting
        assembly.startedAt = now
        assembly.uptime = nil
        if let address { assembly.address = address }
        assembly.hostname = hostname ?? assembly.hostname
        runtime.assemblies[name] = assembly
    }

    mutating func assemblyStartFailed(_ name: String, reason: String) {
        guard var assembly = runtime.assemblies[name], assembly.pending == .start else { return }
        assembly.pending = nil
        assembly.state = .unreachable
        runtime.assemblies[name] = assembly
        assemblyFailed(name, because: "assembly \(name) could not be started: \(reason)")
    }

    mutating func assemblyReachable(_ name: String) {
        guard var assembly = runtime.assemblies[name], assembly.state == .starting else { return }
        assembly.state = .running
        assembly.lastReason = nil
        runtime.assemblies[name] = assembly
        runtime.placement?.away.remove(name)
    }

    mutating func assemblyLost(_ name: String, reason: String) {
        // Only transitions count: an assembly already failed or being fenced is not lost again.
        guard var assembly = runtime.assemblies[name], assembly.state == .running || assembly.state == .starting,
            assembly.pending == nil
        else { return }
        assembly.state = .unreachable
        runtime.assemblies[name] = assembly
        assemblyFailed(name, because: "assembly \(name) was lost: \(reason)")
    }

    mutating func assemblyOff(_ name: String, how: AssemblyOperation) {
        guard var assembly = runtime.assemblies[name], assembly.pending == how else { return }
        assembly.pending = nil
        assembly.state = .stopped
        runtime.assemblies[name] = assembly
    }

    /// Counts an assembly failure: restart it, or escalate to the deployable at its limit.
    mutating func assemblyFailed(_ name: String, because why: String) {
        guard let definition = policy.deployable.assembly(named: name) else { return }
        runtime.assemblies[name]?.lastReason = why
        if let holder = runtime.heldBy(assembly: name) {
            add(
                .unmanagedFailure(.assembly(name)),
                why + ": reported; assembly \(name) is not restarted or fenced while \(label(holder)) is in maintenance")
            return
        }
        if runtime.desired == .stopped {
            fence(name, why + "; fencing it (the deployable is stopping)")
            return
        }
        switch runtime.assemblies[name]!.failures.record(at: now, limit: definition.escalation) {
        case .restart:
            let recent = runtime.assemblies[name]!.failures.times.filter { now - $0 < 600 }.count
            if recent >= 2 {
                let delay = min(30, Double(1 << min(recent - 2, 5)))
                runtime.assemblies[name]?.notBefore = now + delay
                restartAssembly(name, why + ": restarting it in \(Int(delay)) s (\(recent) failures in the last 10 minutes)")
            } else {
                restartAssembly(name, why + ": restarting it")
            }
        case .escalate(let failures, let within) where runtime.inMaintenance:
            // Restarting (or failing) the deployable would reach what is in maintenance: this assembly alone.
            let held = runtime.maintenanceWindows.map { label($0.element) }.joined(separator: ", ")
            restartAssembly(
                name,
                why
                    + "; assembly \(name) failed \(failures) times in \(DurationText.format(within)), but escalating to deployable "
                    + "\(deployableName) is held back while \(held) \(runtime.maintenanceWindows.count == 1 ? "is" : "are") in "
                    + "maintenance: restarting only assembly \(name)")
        case .escalate(let failures, let within):
            let limit = definition.escalation!
            deployableFailed(
                because: "assembly \(name) failed \(failures) times in \(DurationText.format(within)) "
                    + "(limit \(limit.failures) in \(DurationText.format(limit.period)))")
        }
    }

    /// Restart an assembly: fence the old guest (confirmed off), then reconcile starts it again and
    /// probes and starts its resources in order.
    mutating func restartAssembly(_ name: String, _ reason: String) {
        add(.restartAssembly(name), reason)
        runtime.placement?.away.insert(name)  // its placed instances move to the other assemblies
        fence(name, "fencing assembly \(name) before starting it again, so two copies never run")
    }

    mutating func fence(_ name: String, _ reason: String) {
        guard var assembly = runtime.assemblies[name], assembly.pending != .fence else { return }
        forgetResources(of: name)
        assembly.state = .failed
        assembly.pending = .fence
        assembly.incarnation += 1
        runtime.assemblies[name] = assembly
        add(.fenceAssembly(name), reason)
    }

    /// The guest is gone: its resources' state and in-flight operations go with it.
    mutating func forgetResources(of name: String) {
        for id in resources(of: name) {
            guard var resource = runtime.resources[id] else { continue }
            if resource.monitoring {
                add(.cancelMonitor(id), "assembly \(name) is going away")
                resource.monitoring = false
            }
            resource.pending = nil
            if !resource.state.isParked { resource.state = .unknown }
            runtime.resources[id] = resource
        }
    }

    /// Counts a deployable failure: restart every assembly, or at its limit stop it for good.
    mutating func deployableFailed(because why: String) {
        let limit = policy.deployable.escalation
        switch runtime.failures.record(at: now, limit: limit) {
        case .restart:
            add(.restartDeployable, why + ": escalating to restart deployable \(deployableName)")
            for assembly in policy.deployable.assemblies {
                fence(assembly.name, "restarting deployable \(deployableName): fencing assembly \(assembly.name)")
            }
            resetPlacement()
        case .escalate(let failures, let within):
            let limit = limit!
            add(
                .deployableFailed,
                why + "; deployable \(deployableName) itself failed \(failures) times in "
                    + "\(DurationText.format(within)) (limit \(limit.failures) in \(DurationText.format(limit.period))): "
                    + "stopping it and leaving it stopped")
            runtime.failed = true
            runtime.desired = .stopped
        }
    }
}
