/// "N failures within P": when the N-th failure falls within `period` of the first of those N,
/// recovery escalates to the parent (resource -> assembly -> deployable) and the history resets.
/// A nil limit (unset, `INFINITY`, or <= 0 in imported XML) means "only ever restart".
public struct EscalationLimit: Sendable, Equatable, Hashable, Codable {
    public var failures: Int
    public var period: Duration

    public init(failures: Int, period: Duration) {
        self.failures = failures
        self.period = period
    }
}

/// What to do when a resource's monitor fails (Pacemaker's `on-fail`).
public enum OnFail: String, Sendable, Codable, CaseIterable {
    /// Stop and start it again in place (counting towards escalation).
    case restart
    /// Note the failure and carry on.
    case ignore
    /// Stop it and leave it stopped.
    case stop
    /// Leave it alone (no further operations) until an operator clears it.
    case block
    /// Skip local restarts: restart its assembly straight away.
    case escalate
}

/// Delay before a restart, doubling from `base` with each consecutive failure, capped at `cap`.
public struct RestartBackoff: Sendable, Equatable, Hashable, Codable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration, cap: Duration) {
        self.base = base
        self.cap = cap
    }
}
