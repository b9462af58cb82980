import PCloudModel

/// An assembly (guest) as the policy sees it.
public enum AssemblyState: String, Sendable, Codable, CaseIterable {
    /// Nothing known yet (never started by this controller, or adopted but not yet checked).
    case unknown
    /// Started by the infrastructure; waiting for the monitor to reach it.
    case starting
    /// Reachable: its resources can be probed and started.
    case running
    /// Was running or starting and stopped answering: it will be fenced.
    case unreachable
    /// Being fenced or stopped; its old instance is not yet confirmed off.
    case failed
    /// Confirmed off (fenced or stopped).
    case stopped
}

/// A resource (service) inside an assembly as the policy sees it.
public enum ResourceState: String, Sendable, Codable, CaseIterable {
    /// Not probed since its assembly (re)started.
    case unknown
    case stopped
    case starting
    case running
    /// Its monitor, start or stop failed; recovery is under way.
    case failed
    /// A hard error (not installed, not configured, invalid parameter...): no more operations.
    case unrecoverable
    /// `on-fail: block`: left exactly as it is until an operator clears it.
    case blocked
}

/// The deployable as a whole: what hooks and `pcloudsh deployable_status` report.
public enum DeployableState: String, Sendable, Codable, CaseIterable {
    case stopped, starting, running
    /// Running, but some resources are stopped for good (unrecoverable, blocked, `on-fail: stop`).
    case degraded
    /// Was running; something failed and is being recovered.
    case recovering
    case stopping
    /// Exceeded its own escalation limit: stopped and left stopped.
    case failed
}

/// What the operator asked for.
public enum DesiredState: String, Sendable, Codable {
    case running, stopped
}

extension ResourceState {
    /// States in which nothing more is done to the resource until an operator clears it.
    var isParked: Bool { self == .unrecoverable || self == .blocked }
}
