import PCloudModel
import PCloudPolicy
import PCloudStore

/// What a reload removes from a started deployable is not left running unwatched. Each removed
/// resource's monitor ends, and a removed resource that may run on a guest pcloud still reaches is
/// stopped with its old definition and the parameters it was started with (reverse definition
/// order). A removed assembly's resources are stopped this way before its guest is let go when the
/// infrastructure's fencing does not switch the guest off (static hosts); otherwise the fence does it.
extension Engine {
    /// Called by `reload` while `policy` and `runtime` are still the old ones. Returns the removed
    /// assemblies whose fence waits for their resources' stops (`fenceRemoved` does it after them).
    func stopRemovedResources(keeping deployable: Deployable, removedAssemblies: [String]) -> Set<String> {
        var waiting: Set<String> = []
        var stopsByAssembly: [String: [(ResourceID, Resource, OperationArguments)]] = [:]
        for assembly in policy.deployable.assemblies {
            let removedAssembly = removedAssemblies.contains(assembly.name)
            for resource in assembly.resources.reversed() {
                let id = ResourceID(assembly: assembly.name, resource: resource.name)
                guard deployable.resourceDefinition(for: id) == nil else { continue }
                tasks.removeValue(forKey: .monitor(id))?.cancel()
                guard let state = runtime.resources[id]?.state, state != .stopped,
                    let assemblyRuntime = runtime.assemblies[assembly.name], assemblyRuntime.state == .running,
                    !(removedAssembly && infrastructure.fencingSwitchesOff),
                    let definition = policy.resourceDefinition(for: id)
                else { continue }
                let parameters = runtime.resources[id]?.appliedParameters ?? [:]
                let arguments = OperationArguments(
                    parameters: parameters, timeout: definition.stopTimeout, incarnation: assemblyRuntime.incarnation)
                stopsByAssembly[assembly.name, default: []].append((id, definition, arguments))
            }
        }
        for (assembly, stops) in stopsByAssembly {
            guard let endpoint = endpoint(for: assembly) else { continue }
            let removedAssembly = removedAssemblies.contains(assembly)
            if removedAssembly { waiting.insert(assembly) }
            // One task per assembly (its stops in order): keyed as infrastructure work on a removed
            // assembly, else as an op of a removed resource (no key of what is kept is taken).
            let key: EngineTaskKey = removedAssembly ? .infra(assembly) : .op(stops[0].0)
            tasks[key]?.cancel()
            tasks[key] = Task { [monitor, weak self] in
                for (id, definition, arguments) in stops {
                    let result = await monitor.run(
                        .stop, resource: definition, parameters: arguments.parameters, on: endpoint, timeout: arguments.timeout)
                    await self?.removedResourceStopped(id, result)
                }
                await self?.removedStopsDone(key, fence: removedAssembly ? assembly : nil)
            }
        }
        return waiting
    }

    func removedResourceStopped(_ id: ResourceID, _ result: OperationResult) async {
        let ok = result.code == .ok || result.code == .notRunning
        let detail = result.transportError ?? Self.lastLine(result.output)
        _ = try? await publish([
            StoredEvent(
                at: clock.now, deployable: name, assembly: id.assembly, resource: id.resource,
                kind: "resource.removed", severity: ok ? .info : .warning,
                message: ok
                    ? "\(id) was removed from the definition: stopped"
                    : "\(id) was removed from the definition but its stop failed (\(result.code)\(detail.map { ": \($0)" } ?? "")): it may still run"
            )
        ])
    }

    func removedStopsDone(_ key: EngineTaskKey, fence assembly: String?) async {
        tasks[key] = nil
        if let assembly { await fenceRemoved(assembly) }
    }

    /// Lets a removed assembly's guest go: its liveness checks end and it is fenced through the
    /// tracked, retried path (a fence that fails is retried and reported, and the engine does not
    /// end while a removed guest may still run).
    func fenceRemoved(_ assembly: String) async {
        await stopWatching(assembly)
        infra(assembly) { infrastructure, guest in
            try await infrastructure.fence(guest)
            return .assemblyFenced(guest.assembly)
        }
    }
}
