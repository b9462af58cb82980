import Foundation
import PCloudModel

/// Nova sends no events to its API clients, so power changes are found by looking at the
/// servers every `interval` (one list call for all of pcloud's servers, not one per guest)
/// and reporting what changed: a server that went SHUTOFF, ERROR or vanished. The first look
/// reports the servers that are already off or failed, and so does the first look at a new one.
struct OpenStackEventPoller: Sendable {
    let infrastructure: OpenStackInfrastructure
    let interval: Duration

    func stream() -> AsyncStream<GuestEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: GuestEvent.self)
        let task = Task {
            var known: [GuestName: GuestPower] = [:]
            while !Task.isCancelled {
                if let guests = try? await infrastructure.guests(of: nil) {
                    var seen: [GuestName: GuestPower] = [:]
                    for guest in guests { seen[guest.name] = guest.power }
                    for (name, power) in seen {
                        let changed = known[name].map { $0 != power } ?? [.stopped, .crashed].contains(power)
                        if changed { continuation.yield(GuestEvent(name: name, power: power, reason: Self.reason(power))) }
                    }
                    for name in known.keys where seen[name] == nil {
                        continuation.yield(GuestEvent(name: name, power: .absent, reason: "deleted"))
                    }
                    known = seen
                }
                try? await Task.sleep(for: interval)
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

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
