import Foundation
import PCloudModel
import Synchronization

/// What the watch loops of `pcloud-bench ssh` saw: checks that answered, checks that failed when
/// nothing was injected, and for each guest of a killed sshd the time from the kill to the first
/// liveness answer that said unreachable (from its own check, or pushed by the monitor).
final class GuestWatchRecord: Sendable {
    struct State {
        var probes = 0
        var unexpectedFailures = 0
        var firstUnexpected: String?
        /// Check durations (seconds) of checks that answered, while `measuring`.
        var checkSeconds: [Double] = []
        var measuring = false
        /// Server index -> when its sshd was killed.
        var injected: [Int: ContinuousClock.Instant] = [:]
        /// Guest index -> seconds from the kill to the monitor's "unreachable".
        var detections: [Int: Double] = [:]
        var detectionReasons: [String: Int] = [:]
    }

    let state = Mutex(State())

    /// Records one liveness answer; returns true when this guest is done (its failure detected).
    func record(
        guest: Int, server: Int, _ result: Liveness, began: ContinuousClock.Instant, ended: ContinuousClock.Instant,
        pushed: Bool = false
    )
        -> Bool
    {
        state.withLock { state in
            if let injected = state.injected[server] {
                guard case .unreachable(let reason) = result else { return false }
                if state.detections[guest] == nil {
                    state.detections[guest] = Self.seconds(ended - injected)
                    state.detectionReasons[(pushed ? "pushed, " : "by a check, ") + Self.kind(of: reason), default: 0] += 1
                }
                return true
            }
            switch result {
            case .alive:
                state.probes += 1
                if state.measuring { state.checkSeconds.append(Self.seconds(ended - began)) }
            case .unreachable(let reason):
                state.unexpectedFailures += 1
                state.firstUnexpected = state.firstUnexpected ?? reason
            case .hostKeyMismatch:
                state.unexpectedFailures += 1
                state.firstUnexpected = state.firstUnexpected ?? "host key mismatch"
            }
            return false
        }
    }

    /// The reason's gist (`connection refused`, `connection closed`) for the report.
    static func kind(of reason: String) -> String {
        let lowered = reason.lowercased()
        for gist in ["refused", "closed", "lost", "timed out", "reset", "disconnect"] where lowered.contains(gist) { return gist }
        return String(reason.prefix(60))
    }
}

extension GuestWatchRecord {
    /// Seconds with sub-millisecond precision (Duration.seconds of PCloudModel keeps whole ms).
    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
