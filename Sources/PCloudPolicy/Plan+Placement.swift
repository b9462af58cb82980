import PCloudModel

/// Where floating and cloned instances run. Instances are spread over their allowed assemblies, the
/// least loaded first (ties in the order the assemblies are listed), so instance 0 goes to the first,
/// 1 to the second and so on, never more than the per-assembly maximum on one. Afterwards an instance
/// moves only when its assembly goes away, when it failed `migration-threshold` times there (banned
/// until those failures expire), or, with stickiness 0, back to its preferred assembly. A move is
/// carried out by reconcile: the old copy is stopped (or its assembly confirmed off) before the new
/// one starts, so a unique instance never runs twice.
extension Plan {
    mutating func place() {
        guard var placement = runtime.placement else { return }
        let initial = !placement.initialized
        if initial { placement.away = [] }
        placement.wake = nil
        for placed in policy.deployable.resources {
            var load = Dictionary(uniqueKeysWithValues: placed.over.map { ($0, 0) })
            if initial {
                placement.assignment = placement.assignment.filter { PlacedResource.split($0.key).resource != placed.name }
                // A definition reload or an operator start keeps instances that already run.
                for number in 0..<placed.instanceCount {
                    let name = placed.instanceName(number)
                    if let running = placed.over.first(where: {
                        runtime.resources[ResourceID(assembly: $0, resource: name)]?.state == .running
                    }), load[running]! < placed.perAssemblyMax {
                        placement.assignment[name] = running
                        load[running]! += 1
                    }
                }
            } else {
                for number in 0..<placed.instanceCount {
                    if let at = placement.assignment[placed.instanceName(number)] { load[at, default: 0] += 1 }
                }
            }
            for number in 0..<placed.instanceCount {
                let name = placed.instanceName(number)
                let label = "\(deployableName)/\(name)"
                guard let current = placement.assignment[name] else {
                    if let target = target(for: name, placed, load, initial: initial) {
                        placement.assignment[name] = target
                        load[target]! += 1
                        if !initial {
                            placement.moves[name] =
                                "\(label) runs nowhere and \(target) can take it again: placing it on \(target)"
                        }
                    } else if !initial {
                        placement.wake = [placement.wake, banLifts(name, placed)].compactMap { $0 }.min()
                    }
                    continue
                }
                if initial { continue }
                let why: String
                if placement.away.contains(current) || isDown(current) {
                    why = "\(label) ran on \(current), which went away"
                } else if let failures = banned(name, on: current, placed) {
                    why =
                        "\(label) failed \(failures) time\(failures == 1 ? "" : "s") on \(current) "
                        + "(migration-threshold \(placed.migrationThreshold!))"
                } else if placed.stickiness == 0, let home = preferred(number, placed), home != current,
                    canHost(home, name, placed, load, initial: false)
                {
                    placement.assignment[name] = home
                    load[current]! -= 1
                    load[home]! += 1
                    placement.moves[name] = "\(label) prefers \(home) (stickiness 0): moving it back from \(current)"
                    continue
                } else {
                    continue
                }
                load[current]! -= 1
                if let target = target(for: name, placed, load, initial: false) {
                    placement.assignment[name] = target
                    load[target]! += 1
                    placement.moves[name] = "\(why): moving it to \(target)"
                } else if banned(name, on: current, placed) != nil {
                    placement.assignment[name] = nil
                    placement.moves[name] = "\(why) and no other assembly can take it: stopping it"
                    placement.wake = [placement.wake, banLifts(name, placed)].compactMap { $0 }.min()
                } else {
                    load[current]! += 1  // nowhere to go: it waits for its assembly to come back
                }
            }
        }
        placement.initialized = true
        runtime.placement = placement
    }

    /// The least loaded assembly that can take the instance now (ties: the order of `over`).
    func target(for name: String, _ placed: PlacedResource, _ load: [String: Int], initial: Bool) -> String? {
        placed.over.enumerated()
            .filter { canHost($0.element, name, placed, load, initial: initial) }
            .min { (load[$0.element]!, $0.offset) < (load[$1.element]!, $1.offset) }?.element
    }

    func canHost(_ assembly: String, _ name: String, _ placed: PlacedResource, _ load: [String: Int], initial: Bool) -> Bool {
        guard load[assembly, default: 0] < placed.perAssemblyMax, banned(name, on: assembly, placed) == nil else { return false }
        if initial { return true }
        return runtime.assemblies[assembly]?.state == .running && runtime.placement?.away.contains(assembly) != true
    }

    /// Where the instance goes while every assembly is available (stickiness 0 returns it there).
    func preferred(_ number: Int, _ placed: PlacedResource) -> String? {
        placed.over.isEmpty ? nil : placed.over[number % placed.over.count]
    }

    func isDown(_ assembly: String) -> Bool {
        [.unreachable, .failed].contains(runtime.assemblies[assembly]?.state)
    }

    /// The recent failures of `name` on `assembly` when they reach its migration-threshold.
    func banned(_ name: String, on assembly: String, _ placed: PlacedResource) -> Int? {
        guard let threshold = placed.migrationThreshold,
            let resource = runtime.resources[ResourceID(assembly: assembly, resource: name)]
        else { return nil }
        let failures = resource.failures.recent(now: now, expiry: placed.resource.failureExpiry)
        return failures >= threshold ? failures : nil
    }

    /// When the first of the instance's bans runs out (never without a failure-expiry).
    func banLifts(_ name: String, _ placed: PlacedResource) -> Double? {
        guard let threshold = placed.migrationThreshold, let expiry = placed.resource.failureExpiry else { return nil }
        return placed.over.compactMap { assembly -> Double? in
            guard banned(name, on: assembly, placed) != nil,
                let times = runtime.resources[ResourceID(assembly: assembly, resource: name)]?.failures.times
            else { return nil }
            let recent = times.filter { now - $0 < expiry.seconds }
            return recent[recent.count - threshold] + expiry.seconds
        }.min()
    }

    /// Placed instances: whether this copy is the one that should run.
    func isPlacedHere(_ id: ResourceID) -> Bool {
        guard let instance = policy.placedIDs[id] else { return true }
        return runtime.placement?.assignment[instance.name] == id.assembly
    }

    /// Every other copy of a placed instance is known not to run: stopped, or its assembly is off.
    func otherCopiesOff(_ id: ResourceID) -> Bool {
        guard let instance = policy.placedIDs[id] else { return true }
        return instance.placed.over.allSatisfy { assembly in
            guard assembly != id.assembly else { return true }
            if runtime.assemblies[assembly]?.state == .stopped { return true }
            // A guest held by maintenance that is not reached is not fenced: what runs on it is unknown.
            if runtime.inMaintenance, runtime.assemblies[assembly]?.state != .running, runtime.heldBy(assembly: assembly) != nil {
                return false
            }
            let copy = runtime.resources[ResourceID(assembly: assembly, resource: instance.name)]
            return copy?.pending == nil && copy?.state == .stopped
        }
    }

    /// The reason of a step that carries out a move, if the instance moved.
    func moveReason(_ id: ResourceID) -> String? {
        guard let instance = policy.placedIDs[id] else { return nil }
        return runtime.placement?.moves[instance.name]
    }

    mutating func resetPlacement() {
        guard runtime.placement != nil else { return }
        runtime.placement = PlacementRuntime()
    }
}
