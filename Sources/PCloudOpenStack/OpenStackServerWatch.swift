import Foundation
import PCloudModel
import Synchronization

/// Nova sends no events to its API clients, so power changes are found by looking at the
/// servers every `interval` and reporting what changed: a server that went SHUTOFF, ERROR or
/// vanished. One watch serves every deployable on one cloud: one list call per interval for
/// all of pcloud's servers there, not one per guest nor one per engine. Each subscriber gets a
/// stream of its own holding its deployable's servers only; cancelling one ends no other's.
/// The listing runs while anyone subscribes: it starts with the first subscriber and stops when
/// the last one leaves. A subscriber's first look reports its servers that are already off or
/// failed, and so does the first look at a new server.
public final class OpenStackServerWatch: Sendable {
    public typealias Listing = @Sendable () async throws -> [GuestInfo]

    private struct Subscriber {
        var deployable: String?
        var continuation: AsyncStream<GuestEvent>.Continuation
    }

    private struct State {
        var subscribers: [Int: Subscriber] = [:]
        var nextID = 0
        /// The servers of the last listing; nil before the first one of this run.
        var known: [GuestName: GuestPower]?
        var poller: Task<Void, Never>?
    }

    public let interval: Duration
    private let listing: Listing
    private let state = Mutex(State())

    public init(interval: Duration, listing: @escaping Listing) {
        self.interval = interval
        self.listing = listing
    }

    /// The power changes of `deployable`'s servers (nil: every pcloud server on the cloud).
    public func events(of deployable: String?) -> AsyncStream<GuestEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: GuestEvent.self, bufferingPolicy: .bufferingNewest(4096))
        let id = state.withLock { state in
            state.nextID += 1
            state.subscribers[state.nextID] = Subscriber(deployable: deployable, continuation: continuation)
            // A listing was already made: the newcomer is told what it would have seen in it.
            for (name, power) in state.known ?? [:] where Self.matches(name, deployable) && Self.reportedAtFirstLook(power) {
                continuation.yield(GuestEvent(name: name, power: power, reason: Self.reason(power)))
            }
            // The listing holds the watch while anyone subscribes (a driver dropped by its owner
            // keeps serving its engine's stream); the last subscriber's leaving cancels it.
            if state.poller == nil { state.poller = Task { await self.poll() } }
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in self?.leave(id) }
        return stream
    }

    /// How many subscribers the watch has now (for tests and metrics).
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Ends every subscriber's stream and the listing (cped shutting down); a later subscriber
    /// starts it again.
    public func finish() {
        let continuations = state.withLock { state in state.subscribers.values.map(\.continuation) }
        for continuation in continuations { continuation.finish() }  // each leaves; the last cancels the listing
    }

    private func leave(_ id: Int) {
        let poller: Task<Void, Never>? = state.withLock { state in
            state.subscribers[id] = nil
            guard state.subscribers.isEmpty else { return nil }
            defer {
                state.poller = nil
                state.known = nil
            }
            return state.poller
        }
        poller?.cancel()
    }

    private func poll() async {
        while !Task.isCancelled {
            if let guests = try? await listing() { publish(guests) }
            try? await Task.sleep(for: interval)
        }
    }

    /// Compares a listing with the last one and hands each change to the subscribers it concerns.
    private func publish(_ guests: [GuestInfo]) {
        state.withLock { state in
            guard !Task.isCancelled else { return }  // the last subscriber left during the listing
            var seen: [GuestName: GuestPower] = [:]
            for guest in guests { seen[guest.name] = guest.power }
            var events: [GuestEvent] = []
            for (name, power) in seen {
                let changed = state.known?[name].map { $0 != power } ?? Self.reportedAtFirstLook(power)
                if changed { events.append(GuestEvent(name: name, power: power, reason: Self.reason(power))) }
            }
            for name in (state.known ?? [:]).keys where seen[name] == nil {
                events.append(GuestEvent(name: name, power: .absent, reason: "deleted"))
            }
            state.known = seen
            for subscriber in state.subscribers.values {
                for event in events where Self.matches(event.name, subscriber.deployable) {
                    subscriber.continuation.yield(event)
                }
            }
        }
    }

    private static func matches(_ name: GuestName, _ deployable: String?) -> Bool {
        deployable.map { $0 == name.deployable } ?? true
    }

    private static func reportedAtFirstLook(_ power: GuestPower) -> Bool { [.stopped, .crashed].contains(power) }

    static func reason(_ power: GuestPower) -> String {
        switch power {
        case .running: "started"
        case .stopped: "shut down"
        case .crashed: "crashed"
        case .absent: "deleted"
        case .starting: "starting"
        case .paused: "paused"
        case .unknown: "unknown state"
        }
    }
}
