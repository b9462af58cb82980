import PCloudModel
import PCloudStore

/// The monitor's own connection (the agent monitor's broker): an outage is one event for the
/// deployable, not a failure of each of its guests (the monitor suspends its verdicts meanwhile).
extension Engine {
    func monitorConnection(_ state: MonitorConnectionState) async {
        let event: StoredEvent
        switch state {
        case .down(let reason):
            guard monitorConnectionLost == nil else { return }
            monitorConnectionLost = reason
            event = StoredEvent(
                at: clock(), deployable: name, kind: "monitor.connection-lost", severity: .warning,
                message:
                    "the \(policy.deployable.monitor.method.rawValue) monitor lost its connection (\(reason)): guests are not judged until it is back"
            )
        case .up:
            guard monitorConnectionLost != nil else { return }
            monitorConnectionLost = nil
            event = StoredEvent(
                at: clock(), deployable: name, kind: "monitor.connection-restored",
                message: "the \(policy.deployable.monitor.method.rawValue) monitor is connected again: guests are judged again")
        }
        _ = try? await controller.publish([event])
    }
}
