import PCloudModel
import Synchronization

/// An in-memory infrastructure for engine tests (like Pacemaker's simulated executor): guests are
/// entries in a table, every call is counted, and a test scripts what goes wrong (a listing that
/// fails the next N times) and what the infrastructure reports by itself (`emit`).
public final class SimulatedInfrastructure: Infrastructure, @unchecked Sendable {
    public struct ListingFailure: Error, CustomStringConvertible {
        public var description: String { "simulated: the infrastructure did not answer" }
    }

    struct State {
        var guests: [GuestName: GuestInfo] = [:]
        var calls: [String: Int] = [:]
        var failListings = 0
    }

    private let state = Mutex(State())
    private let hub = Hub<GuestEvent>()
    public let kind: String
    public let fencingSwitchesOff = true

    public init(kind: String = "simulated") { self.kind = kind }

    /// The next `count` listings throw.
    public func failListings(_ count: Int) { state.withLock { $0.failListings = count } }

    /// How many times `operation` (`start`, `fence`, `stop`, `remove`, `guests`) was called.
    public func count(_ operation: String) -> Int { state.withLock { $0.calls[operation, default: 0] } }

    public func power(of guest: GuestName) -> GuestPower { state.withLock { $0.guests[guest]?.power ?? .absent } }

    /// The infrastructure reports a change by itself (a crash, a destroy).
    public func emit(_ event: GuestEvent) {
        state.withLock { $0.guests[event.name]?.power = event.power }
        hub.publish(event)
    }

    private func note(_ operation: String) { state.withLock { $0.calls[operation, default: 0] += 1 } }

    public func start(_ guest: GuestSpec) async throws -> GuestInfo {
        note("start")
        let address = guest.address ?? "192.0.2.\(abs(guest.name.assembly.hashValue) % 250 + 1)"
        let info = GuestInfo(name: guest.name, id: "sim-\(guest.name)", power: .running, address: address)
        state.withLock { $0.guests[guest.name] = info }
        return info
    }

    public func fence(_ guest: GuestName) async throws {
        note("fence")
        state.withLock { $0.guests[guest]?.power = .stopped }
    }

    public func stop(_ guest: GuestName, grace: Duration) async throws {
        note("stop")
        state.withLock { $0.guests[guest]?.power = .stopped }
    }

    public func remove(_ guest: GuestName) async throws {
        note("remove")
        _ = state.withLock { $0.guests.removeValue(forKey: guest) }
    }

    public func guests(of deployable: String?) async throws -> [GuestInfo] {
        let answer: [GuestInfo]? = state.withLock { state in
            state.calls["guests", default: 0] += 1
            if state.failListings > 0 {
                state.failListings -= 1
                return nil
            }
            return state.guests.values.filter { deployable == nil || $0.name.deployable == deployable }
        }
        guard let answer else { throw ListingFailure() }
        return answer
    }

    public func events() -> AsyncStream<GuestEvent> { hub.stream() }
}

/// A fan-out of values to every current listener (each `stream()` sees every later `publish`).
final class Hub<Element: Sendable>: @unchecked Sendable {
    private let listeners = Mutex<(next: Int, all: [Int: AsyncStream<Element>.Continuation])>((0, [:]))

    func stream() -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self)
        let id = listeners.withLock { state in
            state.next += 1
            state.all[state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in _ = self?.listeners.withLock { $0.all.removeValue(forKey: id) } }
        return stream
    }

    func publish(_ element: Element) {
        for listener in listeners.withLock({ Array($0.all.values) }) { listener.yield(element) }
    }
}
