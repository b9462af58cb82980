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
            operationsWaitingSaid = false
            event = StoredEvent(
                at: clock.now, deployable: name, kind: "monitor.connection-lost", severity: .warning,
                message:
                    "the \(policy.deployable.monitor.method.rawValue) monitor lost its connection (\(reason)): guests are not judged until it is back"
            )
        case .up:
            guard monitorConnectionLost != nil else { return }
            monitorConnectionLost = nil
            event = StoredEvent(
                at: clock.now, deployable: name, kind: "monitor.connection-restored",
                message: "the \(policy.deployable.monitor.method.rawValue) monitor is connected again: guests are judged again")
        }
        _ = try? await publish([event])
    }

    /// A resource operation asked for during the outage waits for the connection (the guest is
    /// reached only through it), however long that takes: said once per outage, so a stop or a
    /// repair that seems stuck explains itself.
    func noteOperationWaits(_ action: ResourceAction, _ id: ResourceID) async {
        guard let reason = monitorConnectionLost, !operationsWaitingSaid else { return }
        operationsWaitingSaid = true
        let method = policy.deployable.monitor.method.rawValue
        let event = StoredEvent(
            at: clock.now, deployable: name, kind: "monitor.operations-waiting", severity: .warning,
            message:
                "resource \(action.rawValue) of \(id) waits for the \(method) monitor's connection (\(reason)); resource operations go on when it is back"
        )
        _ = try? await publish([event])
    }
}
