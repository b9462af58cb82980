import PCloudAMQP
import PCloudModel

/// The agent monitor's mutable state, serialized by the actor: the ledger, the broker connection
/// and the observation listeners.
actor AgentMonitorState {
    private var ledger: AgentLedger
    private var brokerUp = false
    let hub = ObservationHub()
    private let log: @Sendable (String) -> Void
    private let clock = ContinuousClock()

    init(defaults: AgentSettings, log: @escaping @Sendable (String) -> Void) {
        ledger = AgentLedger(defaults: defaults)
        self.log = log
    }

    func watch(_ guest: GuestName, settings: AgentSettings?) {
        ledger.watch(guest, settings: settings, now: clock.now)
    }

    func forget(_ guest: GuestName) {
        ledger.forget(guest)
    }

    /// While the broker connection is down, the last verdict stands: silence is not the guest's fault.
    func liveness(of guest: GuestName) -> Liveness? {
        brokerUp ? ledger.liveness(of: guest, now: clock.now) : ledger.lastVerdict(of: guest)
    }

    /// Counts broker connections lost, so a request can tell whether the broker dropped it.
    private(set) var epoch = 0

    /// Waits until the broker connection is up; returns the epoch it is up in.
    func connectedEpoch() async -> Int {
        while !brokerUp && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
        }
        return epoch
    }

    func heard(_ beat: Heartbeat) {
        let guest = GuestName(deployable: beat.deployable, assembly: beat.assembly)
        if let change = ledger.heard(beat, now: clock.now) {
            publish(.liveness(guest, change))
        }
    }

    func statusChanged(_ change: StatusChange) {
        let guest = GuestName(deployable: change.deployable, assembly: change.assembly)
        publish(
            .resource(
                guest, resource: change.resource, OperationResult(code: OCFExitCode(status: change.code), output: change.output)))
    }

    func broker(_ state: AMQPConnectionState) {
        switch state {
        case .connected:
            if !brokerUp { log("broker connection up: verdicts resume after a grace period") }
            brokerUp = true
            ledger.restartGracePeriods(now: clock.now)
        case .disconnected(let reason):
            if brokerUp {
                log("broker connection lost (\(reason)): verdicts suspended")
                epoch += 1
            }
            brokerUp = false
        }
    }

    func tick() {
        guard brokerUp else { return }
        for (guest, verdict) in ledger.judge(now: clock.now) {
            publish(.liveness(guest, verdict))
        }
    }

    func finish() {
        hub.finish()
    }

    private func publish(_ observation: Observation) {
        hub.publish(observation)
    }
}
