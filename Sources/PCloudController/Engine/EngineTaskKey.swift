import PCloudModel

/// What an engine's child task does, and for whom: at most one of each at a time.
enum EngineTaskKey: Hashable, Sendable, Comparable {
    /// A resource operation (probe, start, stop) in flight.
    case op(ResourceID)
    /// A resource's recurring monitor.
    case monitor(ResourceID)
    /// An assembly's liveness checks.
    case watch(String)
    /// Infrastructure work on an assembly (start, fence, stop), retried until it is done.
    case infra(String)
    /// The next timer tick the policy asked for.
    case wake

    /// Work whose outcome is unknown if it is cut short (reported as interrupted at shutdown).
    var isAction: Bool {
        switch self {
        case .op, .infra: true
        case .monitor, .watch, .wake: false
        }
    }

    var isResourceMonitor: Bool {
        if case .monitor = self { return true }
        return false
    }

    var isMonitoring: Bool {
        switch self {
        case .monitor, .watch: true
        case .op, .infra, .wake: false
        }
    }

    /// Whom it concerns, as the event log names it (`db/mariadb`, `db`).
    var subject: String {
        switch self {
        case .op(let id), .monitor(let id): id.description
        case .watch(let assembly), .infra(let assembly): assembly
        case .wake: "the timer"
        }
    }

    static func < (lhs: EngineTaskKey, rhs: EngineTaskKey) -> Bool { lhs.sortKey < rhs.sortKey }

    private var sortKey: String {
        switch self {
        case .op(let id): "op:\(id)"
        case .monitor(let id): "monitor:\(id)"
        case .watch(let assembly): "watch:\(assembly)"
        case .infra(let assembly): "infra:\(assembly)"
        case .wake: "wake"
        }
    }
}
