import Foundation
import PCloudModel

/// Which domain is which guest, and the power each was last seen in: filled when pcloud starts
/// or adopts a guest, read when a lifecycle event names only the domain.
final class GuestRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var guests: [String: GuestName] = [:]
    private var power: [String: GuestPower] = [:]

    func remember(_ domain: String, as guest: GuestName) { lock.withLock { guests[domain] = guest } }

    func guest(of domain: String) -> GuestName? { lock.withLock { guests[domain] } }

    func forget(_ domain: String) {
        lock.withLock {
            guests[domain] = nil
            power[domain] = nil
        }
    }

    /// Records `new` and returns the power it replaces.
    @discardableResult
    func record(_ domain: String, _ new: GuestPower) -> GuestPower? {
        lock.withLock {
            let old = power[domain]
            power[domain] = new
            return old
        }
    }
}

extension DomainState {
    var guestPower: GuestPower {
        switch self {
        case .running, .blocked, .shuttingDown: .running
        case .paused, .suspended: .paused
        case .shutOff: .stopped
        case .crashed: .crashed
        case .unknown: .unknown
        }
    }
}

extension LifecycleChange {
    /// The guest event this change means, nil for changes the controller does not act on.
    var guestPowerAndReason: (GuestPower, String)? {
        switch self {
        case .started: (.running, "started")
        case .resumed: (.running, "resumed")
        case .suspended: (.paused, "suspended")
        case .stopped(.shutdown): (.stopped, "shut down")
        case .stopped(.destroyed): (.stopped, "destroyed")
        case .stopped(.failed): (.crashed, "crashed (the QEMU process died)")
        case .stopped(.crashed): (.crashed, "crashed")
        case .stopped(let reason): (.stopped, "stopped (\(reason.rawValue))")
        case .crashed: (.crashed, "guest panicked")
        case .undefined: (.absent, "undefined")
        case .defined, .shuttingDown, .other: nil
        }
    }
}
