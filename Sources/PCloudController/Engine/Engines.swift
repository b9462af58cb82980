import Foundation
import PCloudModel
import PCloudPolicy
import PCloudStore
import ServiceLifecycle

/// The engines of started deployables: created on start (or resumed when cped starts), gone once
/// their deployable is stopped. Each runs as its own task; none blocks another.
public actor Engines {
    let controller: Controller
    let drivers: any DriverFactory
    var running: [String: (engine: Engine, task: Task<Void, Never>)] = [:]
    /// Deployables being deleted: no engine is made for them meanwhile.
    var deleting: Set<String> = []

    /// How a resuming engine retries a failed guest listing.
    let listingRetry: ListingRetry
    /// The leases, when several controllers share the store (nil: this controller owns everything).
    let cluster: ClusterService?

    public init(
        controller: Controller, drivers: any DriverFactory, listingRetry: ListingRetry = ListingRetry(),
        cluster: ClusterService? = nil
    ) {
        self.controller = controller
        self.drivers = drivers
        self.listingRetry = listingRetry
        self.cluster = cluster
    }

    /// Starts (or resumes) a deployable; returns once the engine has the request.
    public func start(_ name: String) async throws {
        _ = try await controller.deployable(named: name)
        let epoch = try await leaseEpoch(for: name)
        let engine = try await engine(for: name, resuming: false, epoch: epoch)
        engine.send(.start)
    }

    public func stop(_ name: String) async throws {
        if let engine = running[name]?.engine {
            engine.send(.stop)
            return
        }
        // Not running here (e.g. stopped before, or cped restarted while it was stopping): resume it
        // so its guests are found and stopped.
        _ = try await controller.deployable(named: name)
        let epoch = try await leaseEpoch(for: name)
        let engine = try await engine(for: name, resuming: true, epoch: epoch)
        engine.send(.stop)
    }

    public func reload(_ name: String) async throws {
        let deployable = try await controller.deployable(named: name)
        guard let engine = running[name]?.engine else {
            try await refuseIfOwnedElsewhere(name)
            throw APIError(.conflict, "deployable '\(name)' is not started: nothing to reload", field: "name")
        }
        engine.send(reload: deployable)
    }

    public func cleanup(_ name: String, resource: ResourceID) async throws {
        let deployable = try await controller.deployable(named: name)
        guard deployable.resourceDefinition(for: resource) != nil else {
            throw APIError(.notFound, "deployable '\(name)' has no resource \(resource)", field: "resource")
        }
        guard let engine = running[name]?.engine else {
            try await refuseIfOwnedElsewhere(name)
            throw APIError(.conflict, "deployable '\(name)' is not started", field: "name")
        }
        engine.send(.cleanup(resource))
    }

    /// Deletes a deployable, refused (409) while it is started or stopping: its engine would go on
    /// restarting resources with no deployable to answer for, and `stop` could no longer reach it.
    public func delete(_ name: String) async throws {
        if let engine = running[name]?.engine {
            let state = await engine.snapshot().state
            throw APIError(
                .conflict, StoreError.started(deployable: name, state: state.rawValue).description, field: "name")
        }
        guard deleting.insert(name).inserted else {
            throw APIError(.conflict, "deployable '\(name)' is being deleted", field: "name")
        }
        defer { deleting.remove(name) }
        try await controller.deleteDeployable(named: name)
    }

    /// The runtime of a started deployable (for tests and status).
    public func runtime(of name: String) async -> DeployableRuntime? {
        await running[name]?.engine.snapshot()
    }

    func engine(for name: String, resuming: Bool, epoch: Int64? = nil) async throws -> Engine {
        if let existing = running[name] { return existing.engine }
        guard !deleting.contains(name) else {
            throw APIError(.conflict, "deployable '\(name)' is being deleted", field: "name")
        }
        let deployable = try await controller.deployable(named: name)
        let infrastructure: any Infrastructure
        let monitor: any Monitor
        do {
            infrastructure = try drivers.infrastructure(for: deployable)
            monitor = try drivers.monitor(for: deployable)
        } catch {
            throw APIError(.unprocessableContent, "deployable '\(name)' cannot be started: \(error)", field: "infrastructure")
        }
        var runtime = DeployableRuntime(for: deployable)
        var saved: DeployableRuntime?
        if let stored = try await RuntimePersistence.load(deployable, store: controller.store),
            stored.assemblies.keys.sorted() == runtime.assemblies.keys.sorted()
        {
            // Matched against the running guests by the engine itself (`Engine.adoptGuests`), which
            // waits out a failed listing instead of reading it as "no guests"; until then status
            // shows what was saved.
            saved = stored
            runtime = stored
        }
        // Checked again after the awaits above, with no await until the engine is in `running`: a
        // concurrent call (an operator's start and a lease change) may have made it meanwhile.
        if let existing = running[name] { return existing.engine }
        guard !deleting.contains(name) else {
            throw APIError(.conflict, "deployable '\(name)' is being deleted", field: "name")
        }
        let engine = Engine(
            deployable: deployable, runtime: runtime, controller: controller, infrastructure: infrastructure, monitor: monitor,
            epoch: epoch, guestBroker: { [drivers] in try await drivers.guestBroker(for: $0) })
        let task = Task { [weak self, listingRetry] in
            await engine.run(resuming: saved != nil || resuming, saved: saved, listingRetry: listingRetry)
            await self?.finished(name, engine)
        }
        running[name] = (engine, task)
        return engine
    }

    func finished(_ name: String, _ engine: Engine) {
        if running[name]?.engine === engine { running[name] = nil }
    }

    /// At cped start: every deployable that was started when cped last stopped runs again. (With
    /// several controllers the leases decide instead: `follow`.)
    public func resumeAll() async {
        guard cluster == nil else { return }
        let names = (try? await controller.store.deployableSummariesAsync().map(\.name)) ?? []
        for name in names {
            guard let deployable = try? await controller.deployable(named: name),
                let saved = try? await RuntimePersistence.load(deployable, store: controller.store),
                saved.desired == .running || saved.monitoring
            else { continue }
            do {
                _ = try await engine(for: name, resuming: true)
            } catch {
                _ = try? await controller.publish([
                    StoredEvent(
                        at: controller.clock.now, deployable: name, kind: "deployable.problem", severity: .error,
                        message: "deployable \(name) could not be resumed: \(error)")
                ])
            }
        }
    }

    /// Controller shutdown: every engine stops acting (guests keep running) and says what it interrupted.
    public func shutdown() async {
        let tasks = running.values.map(\.task)
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        running.removeAll()
    }
}

/// Runs the engines inside cped's ServiceGroup: resumes started deployables, drains on SIGTERM.
/// With several controllers, engines follow the leases instead of resuming everything.
public struct EngineService: Service {
    let engines: Engines

    public init(engines: Engines) { self.engines = engines }

    public func run() async throws {
        let following = Task { [engines] in if let cluster = engines.cluster { await engines.follow(cluster.changes) } }
        await engines.resumeAll()
        try? await gracefulShutdown()
        following.cancel()
        await engines.shutdown()
    }
}
