import PCloudModel

/// "N failures within P": the failure history of one object (resource, assembly, deployable) and the
/// decision the original's `recover.c` made on each new failure, with failure expiry added.
///
/// Times are seconds on the injected clock. Only the last N failures matter for the window, but the
/// history keeps up to `kept` entries so backoff and `pcloudsh` can count recent failures.
public struct FailureHistory: Sendable, Codable, Equatable {
    public private(set) var times: [Double] = []
    /// Every failure ever recorded, for display; never reset by escalation.
    public private(set) var total = 0
    static let kept = 64

    public init() {}

    public enum Decision: Sendable, Equatable {
        case restart
        /// The N-th failure fell within the window: escalate (the history was reset).
        case escalate(failures: Int, within: Duration)
    }

    /// Records a failure at `now` and decides. `limit` nil = only ever restart.
    public mutating func record(at now: Double, limit: EscalationLimit?, expiry: Duration? = nil) -> Decision {
        total += 1
        expire(now: now, after: expiry)
        times.append(now)
        if times.count > Self.kept { times.removeFirst(times.count - Self.kept) }
        guard let limit, limit.failures > 0, limit.period > .zero, times.count >= limit.failures else { return .restart }
        let oldest = times[times.count - limit.failures]
        // Compared at microsecond resolution, as the original did, so float noise never decides.
        let span = ((now - oldest) * 1e6).rounded() / 1e6
        guard span <= limit.period.seconds else { return .restart }
        times.removeAll()
        return .escalate(failures: limit.failures, within: .saturating(seconds: span))
    }

    /// Failures that still count at `now`.
    public func recent(now: Double, expiry: Duration?) -> Int {
        guard let expiry else { return times.count }
        return times.filter { now - $0 < expiry.seconds }.count
    }

    public mutating func expire(now: Double, after expiry: Duration?) {
        guard let expiry else { return }
        times.removeAll { now - $0 >= expiry.seconds }
    }

    public mutating func reset() { times.removeAll() }
}
