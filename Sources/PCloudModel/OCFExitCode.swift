/// OCF resource-agent exit codes (and the LSB mapping onto them), as Pacemaker defines them.
public enum OCFExitCode: Int32, Sendable, Codable, CaseIterable {
    case ok = 0
    case unknownError = 1
    case invalidParameter = 2
    case unimplemented = 3
    case insufficientPrivileges = 4
    case notInstalled = 5
    case notConfigured = 6
    case notRunning = 7
    case runningPromoted = 8
    case failedPromoted = 9

    /// Any raw exit status as an OCF code; out-of-range statuses are unknown errors.
    public init(status: Int32) {
        self = OCFExitCode(rawValue: status) ?? .unknownError
    }

    /// The exit status of an LSB init script, mapped to OCF as Pacemaker does. For `status`
    /// (monitor and probe): 0 running; 1, 2, 3 not running (dead with pid file, dead with lock
    /// file, stopped); 150 not installed and 151 insufficient privileges (Pacemaker's own codes, in
    /// the range LSB leaves to applications); anything else, LSB's 4 "unknown" included, an error.
    /// For other actions 0...7 pass through and anything higher is an unknown error.
    public init(lsbStatus status: Int32, action: ResourceAction) {
        switch action {
        case .monitor, .probe:
            switch status {
            case 0: self = .ok
            case 1, 2, 3: self = .notRunning
            case 150: self = .notInstalled
            case 151: self = .insufficientPrivileges
            default: self = .unknownError
            }
        case .start, .stop:
            self = (0...7).contains(status) ? OCFExitCode(status: status) : .unknownError
        }
    }

    /// The exit status of `systemctl is-active` (monitor/probe) or `systemctl start|stop`.
    /// is-active prints the state and exits 0 when active, 3 (or other non-zero) when not.
    public init(systemdStatus status: Int32, action: ResourceAction) {
        switch action {
        case .monitor, .probe: self = status == 0 ? .ok : .notRunning
        case .start, .stop:
            switch status {
            case 0: self = .ok
            case 5: self = .notInstalled  // "Unit NAME.service not found."
            case 4: self = .insufficientPrivileges
            default: self = .unknownError
            }
        }
    }

    /// Errors that retrying on the same guest cannot fix: the resource becomes unrecoverable.
    public var isHardError: Bool {
        switch self {
        case .invalidParameter, .unimplemented, .insufficientPrivileges, .notInstalled, .notConfigured:
            return true
        default:
            return false
        }
    }

    /// The sentence operators see in events ("not running", "not installed").
    public var reason: String {
        switch self {
        case .ok: return "ok"
        case .unknownError: return "unknown error"
        case .invalidParameter: return "invalid parameter"
        case .unimplemented: return "unimplemented feature"
        case .insufficientPrivileges: return "insufficient privileges"
        case .notInstalled: return "not installed"
        case .notConfigured: return "not configured"
        case .notRunning: return "not running"
        case .runningPromoted: return "running promoted"
        case .failedPromoted: return "failed promoted"
        }
    }
}
