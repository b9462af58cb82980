import Foundation
import PCloudModel

/// What the controller's AgentMonitor reported, with the CLOCK_MONOTONIC time it was seen: the
/// distinct guests heard alive and the first unreachable verdict of each guest.
final class VerdictRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var alive: Set<GuestName> = []
    private var unreachable: [GuestName: Double] = [:]
    private var task: Task<Void, Never>?

    init(_ observations: AsyncStream<Observation>) {
        task = Task { [weak self] in
            for await observation in observations {
                guard case .liveness(let guest, let liveness) = observation, let self else { continue }
                let now = MeasuredProcess.monotonicSeconds()
                self.lock.withLock {
                    switch liveness {
                    case .alive: self.alive.insert(guest)
                    case .unreachable:
                        if self.unreachable[guest] == nil { self.unreachable[guest] = now }
                    case .hostKeyMismatch: break
                    }
                }
            }
        }
    }

    var aliveCount: Int { lock.withLock { alive.count } }

    /// First unreachable verdicts seen before `deadline`.
    func verdicts(before deadline: Double) -> [GuestName: Double] {
        lock.withLock { unreachable.filter { $0.value < deadline } }
    }

    func stop() { task?.cancel() }
}
