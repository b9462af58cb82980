import PCloudModel
import PCloudPolicy

/// Carrying out the policy's steps: each becomes a task that reports its result to the inbox.
extension Engine {
    func execute(_ action: PlannedAction) async {
        switch action.step {
        case .startAssembly(let assembly): startAssembly(assembly)
        case .fenceAssembly(let assembly):
            await stopWatching(assembly)
            infra(assembly) { infrastructure, guest in
                try await infrastructure.fence(guest)
                return .assemblyFenced(guest.assembly)
            }
        case .stopAssembly(let assembly):
            await stopWatching(assembly)
            infra(assembly) { infrastructure, guest in
                try await infrastructure.stop(guest, grace: .seconds(60))
                return .assemblyStopped(guest.assembly)
            }
        case .probe(let id, let arguments): await operate(.probe, id, arguments)
        case .start(let id, let arguments): await operate(.start, id, arguments)
        case .stop(let id, let arguments): await operate(.stop, id, arguments)
        case .scheduleMonitor(let id, let arguments): recurringMonitor(id, arguments)
        case .cancelMonitor(let id):
            tasks.removeValue(forKey: .monitor(id))?.cancel()
        case .stopMonitoring:
            for key in tasks.keys where key.isMonitoring {
                tasks.removeValue(forKey: key)?.cancel()
            }
            for assembly in policy.deployable.assemblies {
                await monitor.forget(GuestName(deployable: name, assembly: assembly.name))
            }
        default:
            break  // decisions and reports: recorded as events only
        }
    }

    func spec(for assembly: String) -> GuestSpec {
        let definition = policy.deployable.assembly(named: assembly)
        return GuestSpec(
            name: GuestName(deployable: name, assembly: assembly),
            deployableUUID: policy.deployable.uuid?.uuidString.lowercased() ?? name, image: definition?.image,
            memoryMiB: definition?.memoryMiB ?? 256, vcpus: definition?.vcpus ?? 1, address: definition?.address,
            authorizedKey: controller.authorizedKey)
    }

    func startAssembly(_ assembly: String) {
        var spec = spec(for: assembly)
        let deployable = policy.deployable
        let definition = deployable.assembly(named: assembly)
        tasks[.infra(assembly)] = Task { [infrastructure, inbox, guestBroker] in
            do {
                if let definition, let broker = try await guestBroker(deployable) {
                    spec.agent = GuestAgentFile(broker: broker, deployable: deployable.name, assembly: definition)
                }
                let info = try await infrastructure.start(spec)
                inbox.yield(.guestStarted(info))
            } catch {
                inbox.yield(.policy(.assemblyStartFailed(assembly, reason: "\(error)")))
            }
        }
    }

    /// The infrastructure said the guest runs: note its address and host key, then start watching it.
    func guestStarted(_ info: GuestInfo) async {
        tasks[.infra(info.name.assembly)] = nil
        let assembly = info.name.assembly
        if let key = info.hostKey { runtime.assemblies[assembly]?.hostKey = key }
        await handle(.assemblyStarted(assembly, address: info.address, hostname: nil))
        if runtime.assemblies[assembly]?.state == .starting { watch(assembly) }
    }

    func infra(_ assembly: String, _ work: @escaping @Sendable (any Infrastructure, GuestName) async throws -> PolicyInput) {
        let guest = GuestName(deployable: name, assembly: assembly)
        tasks[.infra(assembly)] = Task { [infrastructure, inbox, clock] in
            var delay = Duration.seconds(1)
            while !Task.isCancelled {
                do {
                    inbox.yield(.policy(try await work(infrastructure, guest)))
                    return
                } catch {
                    // Fencing and stopping must succeed before anything else happens to this guest:
                    // retry with backoff and say why.
                    inbox.yield(.problem(assembly, "\(guest) could not be fenced or stopped (\(error)); retrying in \(delay)"))
                    try? await clock.sleep(for: delay)
                    delay = min(delay * 2, .seconds(30))
                }
            }
        }
    }

    func endpoint(for assembly: String) -> GuestEndpoint? {
        guard let definition = policy.deployable.assembly(named: assembly),
            let host = runtime.assemblies[assembly]?.address ?? definition.address
        else { return nil }
        return GuestEndpoint(
            name: GuestName(deployable: name, assembly: assembly), host: host, port: definition.ssh.port,
            user: definition.ssh.user, hostKey: runtime.assemblies[assembly]?.hostKey ?? definition.ssh.hostKey,
            agent: definition.agent)
    }

    func operate(_ action: ResourceAction, _ id: ResourceID, _ arguments: OperationArguments) async {
        guard let resource = policy.resourceDefinition(for: id),
            let endpoint = endpoint(for: id.assembly)
        else {
            send(
                .operationCompleted(
                    id, action, .unknownError, incarnation: arguments.incarnation, detail: "no address for \(id.assembly)"))
            return
        }
        let livenessTimeout = policy.deployable.monitor.timeout
        await noteOperationWaits(action, id)
        tasks[.op(id)] = Task { [monitor, inbox, name] in
            let began = ContinuousClock.now
            let result = await monitor.run(
                action, resource: resource, parameters: arguments.parameters, on: endpoint, timeout: arguments.timeout)
            EngineMetrics.duration((ContinuousClock.now - began).seconds, deployable: name, operation: action.rawValue)
            if let lost = await Self.guestLost(
                after: result, of: action, id, monitor: monitor, endpoint: endpoint, timeout: livenessTimeout)
            {
                inbox.yield(.liveness(id.assembly, lost, incarnation: arguments.incarnation))
                return
            }
            inbox.yield(.operationDone(id, action, result, incarnation: arguments.incarnation))
        }
    }

    func recurringMonitor(_ id: ResourceID, _ arguments: OperationArguments) {
        guard let resource = policy.resourceDefinition(for: id),
            let endpoint = endpoint(for: id.assembly), let interval = arguments.interval
        else { return }
        tasks[.monitor(id)]?.cancel()
        let livenessTimeout = policy.deployable.monitor.timeout
        tasks[.monitor(id)] = Task { [monitor, inbox, name, clock, weak self] in
            while !Task.isCancelled {
                try? await clock.sleep(for: interval)
                if Task.isCancelled { return }
                let began = ContinuousClock.now
                let result = await monitor.run(
                    .monitor, resource: resource, parameters: arguments.parameters, on: endpoint, timeout: arguments.timeout)
                EngineMetrics.duration((ContinuousClock.now - began).seconds, deployable: name, operation: "monitor")
                if Task.isCancelled { return }
                if let lost = await Self.guestLost(
                    after: result, of: .monitor, id, monitor: monitor, endpoint: endpoint, timeout: livenessTimeout)
                {
                    if !Task.isCancelled { inbox.yield(.liveness(id.assembly, lost, incarnation: arguments.incarnation)) }
                    return
                }
                inbox.yield(.operationDone(id, .monitor, result, incarnation: arguments.incarnation))
                // The policy decides what follows a failure; an unmanaged resource is only watched, so
                // its monitor goes on (and sees it come back), until maintenance ends and cancels it.
                if result.code != .ok, await self?.watchedThroughFailures(id) != true { return }
            }
        }
    }

    /// A resource in maintenance: its monitor is not ended by a failed result.
    func watchedThroughFailures(_ id: ResourceID) -> Bool { runtime.isUnmanaged(id) }

    func operationDone(_ id: ResourceID, _ action: ResourceAction, _ result: OperationResult, incarnation: Int) async {
        if action != .monitor { tasks[.op(id)] = nil }
        let detail = result.transportError ?? Self.lastLine(result.output)
        await handle(.operationCompleted(id, action, result.code, incarnation: incarnation, detail: detail))
    }

    static func lastLine(_ output: String) -> String? {
        let line = output.split(separator: "\n").last.map { String($0.prefix(200)) }
        return line?.isEmpty == false ? line : nil
    }
}
