import Foundation
import Logging
import Metrics
import PCloudModel
import PCloudStore

/// The controller's shared parts: the store, the event bus and the definitions loader. The API and
/// the engines work through it.
public final class Controller: Sendable {
    public let store: Store
    public let bus: EventBus
    public let configuration: ControllerConfiguration
    let logger: Logger
    /// Every timestamp and sleep of the controller and its engines.
    public let clock: any EngineClock

    public init(configuration: ControllerConfiguration, store: Store, logger: Logger, clock: any EngineClock = WallClock()) {
        self.configuration = configuration
        self.clock = clock
        self.store = store
        self.bus = EventBus(store: store, onDelivery: { Self.account(for: $0, logger: logger) })
        self.logger = logger
    }

    /// The public half of the controller's ssh key, which guests it builds authorize.
    var authorizedKey: String? {
        (try? String(contentsOfFile: configuration.sshKeyPath + ".pub", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var loader: DefinitionLoader {
        DefinitionLoader(root: URL(fileURLWithPath: configuration.definitionsPath))
    }

    func deployable(named name: String) async throws -> Deployable {
        guard let deployable = try await store.deployableAsync(named: name) else {
            throw APIError(.notFound, "deployable '\(name)' does not exist", field: "name")
        }
        return deployable
    }

    func status(of name: String) async throws -> DeployableStatus {
        let deployable = try await deployable(named: name)
        let states = try await store.statesAsync(deployable: name)
        let failures = try await store.failuresAsync(deployable: name)
        let last = try await store.lastEventAsync(deployable: name)
        return DeployableStatus.make(deployable, states: states, failures: failures, lastEvent: last, now: clock.now)
    }

    /// A deployable from YAML text with its assemblies inline or named from the definitions directory.
    func importDeployable(yaml: String, replace: Bool) async throws -> Deployable {
        let deployable: Deployable
        do { deployable = try loader.parseDeployable(text: yaml, file: "request body") } catch let errors as DefinitionErrors {
            let first = errors.errors.first
            throw APIError(.unprocessableContent, errors.description, field: first.map { $0.path.isEmpty ? "body" : $0.path })
        }
        do {
            // The store records deployable.defined in the same transaction; hand it on now.
            let stored = try await store.importDeployable(deployable, replace: replace)
            try await bus.catchUp()
            return stored
        } catch let error as StoreError {
            switch error {
            case .alreadyExists: throw APIError(.conflict, error.description, field: "name")
            default: throw APIError(.conflict, error.description)
            }
        }
    }

    /// Deletes a stopped deployable; 409 while its stored runtime says it is started or stopping
    /// (Engines.delete also refuses while its engine runs).
    func deleteDeployable(named name: String) async throws {
        do { try await store.deleteDeployable(named: name) } catch let error as StoreError {
            if case .started = error { throw APIError(.conflict, error.description, field: "name") }
            throw APIError(.notFound, error.description, field: "name")
        }
        try await bus.catchUp()  // the store recorded deployable.deleted with the delete
    }

    /// Records events (store, live streams, metrics).
    @discardableResult
    public func publish(_ events: [StoredEvent], epoch: Int64? = nil) async throws -> [StoredEvent] {
        try await bus.publish(events, epoch: epoch)
    }

    /// Every event the bus delivers, once: this process's own and those other processes stored.
    private static func account(for event: StoredEvent, logger: Logger) {
        Counter(label: "pcloud_events_total", dimensions: [("deployable", event.deployable), ("kind", event.kind)])
            .increment()
        var metadata: Logger.Metadata = ["deployable": "\(event.deployable)", "seq": "\(event.seq)"]
        if let assembly = event.assembly { metadata["assembly"] = "\(assembly)" }
        if let resource = event.resource { metadata["resource"] = "\(resource)" }
        let level: Logger.Level = event.severity == .error ? .error : event.severity == .warning ? .warning : .info
        logger.log(level: level, "\(event.message)", metadata: metadata)
    }
}
