import Foundation
import Logging
import PCloudModel
import PCloudPolicy
import PCloudStore

/// One started deployable: a reconcile loop. Inputs (operator requests, infrastructure and monitor
/// results, timers) arrive in one inbox; each goes through the pure policy; every decision and action
/// is recorded as an event and the runtime is saved; then the actions are carried out by tasks that
/// report back to the inbox. A task, not a thread, per deployable; waits are async.
public actor Engine {
    public nonisolated let name: String
    var policy: Policy
    var runtime: DeployableRuntime
    let controller: Controller
    let infrastructure: any Infrastructure
    let monitor: any Monitor
    let clock: any EngineClock
    let logger: Logger
    nonisolated let inbox: AsyncStream<EngineInput>.Continuation
    let inputs: AsyncStream<EngineInput>
    /// In-flight work, at most one per key; no other task is started (nothing fire-and-forget).
    var tasks: [EngineTaskKey: Task<Void, Never>] = [:]
    /// Why the monitor's own connection (the agent monitor's broker) is down, while it is.
    var monitorConnectionLost: String?
    /// Whether this outage's waiting operations were reported (once per outage).
    var operationsWaitingSaid = false
    /// The broker account its guests' agents use (asked for at each guest start; nil = none).
    let guestBroker: @Sendable (Deployable) async throws -> GuestAgentFile.Broker?
    /// The lease this engine acts under when several controllers share the store (nil: one
    /// controller, nothing to fence). Every write carries it; the store refuses a stale one.
    let epoch: Int64?
    /// Another controller took the deployable over (a write was refused as stale): this engine
    /// carries out nothing more and ends, leaving the guests to the new owner.
    var fencedOut = false

    init(
        deployable: Deployable, runtime: DeployableRuntime, controller: Controller, infrastructure: any Infrastructure,
        monitor: any Monitor, bootTimeout: Duration = .seconds(300), epoch: Int64? = nil,
        guestBroker: @escaping @Sendable (Deployable) async throws -> GuestAgentFile.Broker? = { _ in nil }
    ) {
        self.epoch = epoch
        name = deployable.name
        policy = Policy(deployable, bootTimeout: bootTimeout)
        self.runtime = runtime
        self.controller = controller
        self.infrastructure = infrastructure
        self.monitor = monitor
        self.guestBroker = guestBroker
        clock = controller.clock
        var logger = controller.logger
        logger[metadataKey: "deployable"] = "\(deployable.name)"
        self.logger = logger
        (inputs, inbox) = AsyncStream.makeStream(of: EngineInput.self)
    }

    /// Sends an input to the engine (operator requests come this way).
    public nonisolated func send(_ input: PolicyInput) { inbox.yield(.policy(input)) }

    /// Runs until the deployable is stopped (or failed and stopped), or until cancelled (controller
    /// shutdown: guests keep running; in-flight actions are recorded as interrupted). `saved`: the
    /// runtime a restarted controller resumes, matched first against the guests that run
    /// (`adoptGuests`); nothing else is done before the infrastructure has answered.
    func run(resuming: Bool, saved: DeployableRuntime? = nil, listingRetry: ListingRetry = ListingRetry()) async {
        let events = Task { [infrastructure, inbox, name] in
            for await event in infrastructure.events() where event.name.deployable == name {
                inbox.yield(.guest(event))
            }
        }
        let observations = Task { [monitor, inbox, name] in
            for await observation in monitor.observations() {
                switch observation {
                case .liveness(let guest, let liveness) where guest.deployable == name:
                    inbox.yield(.pushedLiveness(guest.assembly, liveness))
                case .resource(let guest, let resource, let result) where guest.deployable == name:
                    inbox.yield(.pushedResult(ResourceID(assembly: guest.assembly, resource: resource), result))
                default: break
                }
            }
        }
        let connection = Task { [monitor, inbox] in
            guard let reporting = monitor as? any MonitorConnectionReporting else { return }
            for await state in reporting.connectionStates() { inbox.yield(.monitorConnection(state)) }
        }
        defer {
            events.cancel()
            observations.cancel()
            connection.cancel()
        }
        if let saved, !(await adoptGuests(saved, retry: listingRetry)) {
            inbox.finish()
            return  // shut down before the infrastructure answered: nothing was done, nothing to record
        }
        if resuming { await reissuePending() }
        for await input in inputs {
            if Task.isCancelled || fencedOut { break }
            switch input {
            case .policy(let input):
                switch input {
                case .assemblyFenced(let assembly), .assemblyStopped(let assembly), .assemblyStartFailed(let assembly, _):
                    tasks[.infra(assembly)] = nil
                default: break
                }
                await handle(input)
            case .guest(let event): await guestEvent(event)
            case .liveness(let assembly, let result, let incarnation): await liveness(assembly, result, incarnation: incarnation)
            case .reload(let deployable): await reload(deployable)
            case .guestStarted(let info): await guestStarted(info)
            case .operationDone(let id, let action, let result, let incarnation):
                await operationDone(id, action, result, incarnation: incarnation)
            case .problem(let assembly, let message): await problem(assembly, message)
            case .hostKey(let assembly, let key): await hostKeyRecorded(assembly, key)
            case .pushedLiveness(let assembly, let liveness):
                if let incarnation = runtime.assemblies[assembly]?.incarnation {
                    await self.liveness(assembly, liveness, incarnation: incarnation)
                }
                continue
            case .monitorConnection(let state):
                await monitorConnection(state)
                continue  // what the monitor says by itself never ends the engine (it may precede .start)
            case .pushedResult(let id, let result):
                // A failure the guest's agent saw by itself: only for a resource being monitored.
                if runtime.resources[id]?.monitoring == true, let incarnation = runtime.assemblies[id.assembly]?.incarnation {
                    await operationDone(id, .monitor, result, incarnation: incarnation)
                }
                continue
            }
            if fencedOut { break }
            if runtime.desired == .stopped && !runtime.monitoring && tasks.keys.allSatisfy(\.isResourceMonitor) {
                break
            }
        }
        await interrupt()
        inbox.finish()
    }

    func handle(_ input: PolicyInput) async {
        let before = runtime.state
        // Only a check's result is compared whole (a copy): most checks change nothing worth saving.
        let unchanged = input.isCheck ? runtime : nil
        let actions = policy.handle(input, &runtime, now: clock.now)
        if actions.isEmpty, let unchanged, runtime.sameApartFromChecks(unchanged) { return }
        // The check that first reaches a starting guest reads in the log as its being reached.
        var shown = input
        if case .livenessChecked(let assembly, _, _) = input, unchanged?.assemblies[assembly]?.state == .starting,
            runtime.assemblies[assembly]?.state == .running
        {
            shown = .assemblyReachable(assembly)
        }
        EngineMetrics.record(actions, deployable: name)
        if !actions.isEmpty || before != runtime.state { EngineMetrics.states(runtime, deployable: name) }
        // Nothing is carried out that was not recorded under a current lease.
        guard await record(shown, actions) else { return }
        for action in actions { await execute(action) }
        scheduleWake()
    }

    /// Persists the runtime and publishes the plan's events; a store failure is logged, never fatal.
    /// False when the lease is stale (another controller owns the deployable now): then nothing was
    /// written and the engine stops acting.
    @discardableResult
    func record(_ input: PolicyInput, _ actions: [PlannedAction]) async -> Bool {
        let events = EngineEvents.events(
            for: input, actions, deployable: name, runtime: runtime, at: clock.now,
            fencingSwitchesOff: infrastructure.fencingSwitchesOff)
        do {
            try await RuntimePersistence.save(runtime, policy.deployable, store: controller.store, at: clock.now, epoch: epoch)
            if !events.isEmpty { try await publish(events) }
        } catch StoreError.staleEpoch {
            fencedOut = true
            logger.error(
                "another controller owns deployable \(name) now (lease epoch \(epoch ?? 0) is stale): nothing more is done here")
            return false
        } catch {
            logger.error("could not record the engine's state: \(error)")
        }
        return true
    }

    /// Publishes events under the engine's lease.
    @discardableResult
    func publish(_ events: [StoredEvent]) async throws -> [StoredEvent] {
        try await controller.publish(events, epoch: epoch)
    }

    func scheduleWake() {
        tasks.removeValue(forKey: .wake)?.cancel()
        guard let wake = policy.nextWake(runtime) else { return }
        // Bounded and finite whatever the runtime holds: a wake never traps and never sleeps past a day.
        let delay = min(max(0, wake - clock.now), 86_400)
        guard delay.isFinite else { return }
        tasks[.wake] = Task { [inbox, clock] in
            try? await clock.sleep(for: .milliseconds(Int64(delay * 1000) + 1))
            if !Task.isCancelled { inbox.yield(.policy(.tick)) }
        }
    }

    /// Controller shutdown: cancel what runs and say which actions did not finish.
    func interrupt() async {
        let interrupted = tasks.keys.filter(\.isAction).sorted()
        for task in tasks.values { task.cancel() }
        tasks.removeAll()
        guard !interrupted.isEmpty, !fencedOut else { return }  // the new owner checks them again
        let now = clock.now
        let events = interrupted.map {
            StoredEvent(
                at: now, deployable: name, kind: "action.interrupted", severity: .warning,
                message:
                    "\($0.subject) was interrupted by the controller stopping; it is checked again at the next start"
            )
        }
        // The engine's task is cancelled by now, and the store refuses work from a cancelled task:
        // record from a task of its own, awaited, so the events are not lost with the shutdown.
        let controller = controller
        let epoch = epoch
        let recorded = await Task { () -> Error? in
            do {
                _ = try await controller.publish(events, epoch: epoch)
                return nil
            } catch { return error }
        }.value
        if let recorded {
            for event in events { logger.warning("\(event.message) (not recorded in the store: \(recorded))") }
        }
    }

    /// Replaces the definition (reload): runtime entries of unchanged assemblies and resources stay;
    /// removed resources are stopped and removed assemblies fenced (Engine+RemovedResources); running
    /// resources whose definition changed are monitored with the new one (Engine+ReloadedMonitors).
    func reload(_ deployable: Deployable) async {
        var merged = DeployableRuntime(for: deployable)
        for (key, value) in merged.assemblies { merged.assemblies[key] = runtime.assemblies[key] ?? value }
        for (key, value) in merged.resources { merged.resources[key] = runtime.resources[key] ?? value }
        merged.desired = runtime.desired
        merged.state = runtime.state
        merged.failed = runtime.failed
        merged.wasRunning = runtime.wasRunning
        merged.monitoring = runtime.monitoring
        merged.failures = runtime.failures
        // Maintenance stays on what still exists.
        merged.maintenance = runtime.maintenance?.filter {
            switch $0.element {
            case .deployable: true
            case .assembly(let assembly): deployable.assembly(named: assembly) != nil
            case .resource(let id): deployable.resourceDefinition(for: id) != nil
            }
        }
        if merged.maintenance?.isEmpty == true { merged.maintenance = nil }
        let removed = runtime.assemblies.keys.filter { deployable.assembly(named: $0) == nil }
        let agentNotices = agentSettingsChanges(from: policy.deployable, to: deployable)
        // Removed resources are stopped with their old definitions (a removed static host's first).
        let fencedAfterStops = stopRemovedResources(keeping: deployable, removedAssemblies: removed)
        let oldDefinitions = Dictionary(
            uniqueKeysWithValues: runtime.resources.keys.compactMap { id in policy.resourceDefinition(for: id).map { (id, $0) } })
        policy = Policy(deployable, bootTimeout: policy.bootTimeout)
        runtime = merged
        for assembly in removed where !fencedAfterStops.contains(assembly) { await fenceRemoved(assembly) }
        await rescheduleChangedMonitors(old: oldDefinitions)
        _ = try? await publish(
            [
                StoredEvent(
                    at: clock.now, deployable: name, kind: "deployable.reloaded",
                    message: "deployable \(name) reloaded: \(deployable.assemblies.count) assemblies"
                        + (removed.isEmpty ? "" : "; removed \(removed.sorted().joined(separator: ", "))"))
            ] + agentNotices)
        await handle(.tick)
    }

    /// Sends a new definition to the running engine.
    public nonisolated func send(reload deployable: Deployable) { inbox.yield(.reload(deployable)) }

    func snapshot() -> DeployableRuntime { runtime }

    /// A quiet moment to hand the deployable to another controller: running, no action in flight.
    func isQuiet() -> Bool {
        (runtime.state == .running || runtime.state == .degraded) && !tasks.keys.contains(where: \.isAction)
    }
}

/// What reaches an engine's inbox.
enum EngineInput: Sendable {
    case policy(PolicyInput)
    case guest(GuestEvent)
    case liveness(String, Liveness, incarnation: Int)
    case reload(Deployable)
    case guestStarted(GuestInfo)
    case operationDone(ResourceID, ResourceAction, OperationResult, incarnation: Int)
    case problem(String, String)
    case hostKey(String, String)
    case pushedLiveness(String, Liveness)
    case pushedResult(ResourceID, OperationResult)
    case monitorConnection(MonitorConnectionState)
}
