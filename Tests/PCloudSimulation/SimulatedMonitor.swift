import PCloudModel
import Synchronization

/// An in-memory monitor for engine tests: every guest answers alive unless the test says
/// otherwise; each resource is running or not, as a table; start makes it run, stop makes it stop,
/// and every operation is counted per resource and action.
public final class SimulatedMonitor: Monitor, @unchecked Sendable {
    struct State {
        var running: Set<String> = []
        var unreachable: [GuestName: String] = [:]
        var operations: [String: Int] = [:]
        var checks: [GuestName: Int] = [:]
    }

    private let state = Mutex(State())
    private let hub = ObservationHub()

    public init() {}

    /// Whether `resource` (`assembly/resource`) of `deployable` runs now.
    public func isRunning(_ deployable: String, _ resource: String) -> Bool {
        state.withLock { $0.running.contains("\(deployable)/\(resource)") }
    }

    /// A resource (`assembly/resource`) dies behind the controller's back, or is found running.
    public func set(_ deployable: String, _ resource: String, running: Bool) {
        state.withLock {
            if running { $0.running.insert("\(deployable)/\(resource)") } else { $0.running.remove("\(deployable)/\(resource)") }
        }
    }

    /// How many times `action` ran on `deployable`'s `resource` (`assembly/resource`).
    public func count(_ action: ResourceAction, _ deployable: String, _ resource: String) -> Int {
        state.withLock { $0.operations["\(action.rawValue) \(deployable)/\(resource)", default: 0] }
    }

    /// The guest stops answering liveness checks (`reason`), or answers again (nil).
    public func set(_ guest: GuestName, unreachable reason: String?) {
        state.withLock { $0.unreachable[guest] = reason }
    }

    /// How many liveness checks reached `guest`'s monitor.
    public func checks(of guest: GuestName) -> Int { state.withLock { $0.checks[guest, default: 0] } }

    /// Pushes an observation to every engine, as a monitor does when a connection breaks.
    public func push(_ observation: Observation) { hub.publish(observation) }

    public func liveness(of guest: GuestEndpoint, timeout: Duration) async -> Liveness {
        let reason = state.withLock { state in
            state.checks[guest.name, default: 0] += 1
            return state.unreachable[guest.name]
        }
        if let reason { return .unreachable(reason: reason) }
        return .alive(uptime: .seconds(100), bootID: "simulated-boot")
    }

    public func run(
        _ action: ResourceAction, resource: Resource, parameters: [String: String], on guest: GuestEndpoint,
        timeout: Duration
    ) async -> OperationResult {
        let key = "\(guest.name.deployable)/\(guest.name.assembly)/\(resource.name)"
        let code: OCFExitCode = state.withLock { state in
            state.operations["\(action.rawValue) \(key)", default: 0] += 1
            switch action {
            case .start:
                state.running.insert(key)
                return .ok
            case .stop:
                state.running.remove(key)
                return .ok
            default:
                return state.running.contains(key) ? .ok : .notRunning
            }
        }
        return OperationResult(code: code)
    }

    public func observations() -> AsyncStream<Observation> { hub.stream() }

    public func forget(_ guest: GuestName) async {}
}
