import Foundation

/// Time as the controller sees it: the wall clock for timestamps and the policy's `now`, and every
/// sleep (check intervals, backoff, timers). Injected, so a simulated run moves time itself and is
/// deterministic and fast.
public protocol EngineClock: Sendable {
    /// Seconds since 1970.
    var now: Double { get }
    /// Waits `duration`; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The real clock.
public struct WallClock: EngineClock {
    public init() {}
    public var now: Double { Date().timeIntervalSince1970 }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
