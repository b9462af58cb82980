import PCloudAMQP
import PCloudModel

/// The agent monitor's mutable state, serialized by the actor: the ledger, the broker connection
/// and the observation listeners.
actor AgentMonitorState {
    private var ledger: AgentLedger
    private var brokerUp = false
    let hub = ObservationHub()
    /// The connection as engines see it: the broker connection, and the path behind it.
    let feed = ConnectionFeed()
    private var everConnected = false
    private var brokerDownReason = ""
    private var pathSaid = false
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

    /// Waits until the broker connection is up and the path through it not suspect (a request
    /// sent while every agent is silent would fail for the path's sake, not the guest's); returns
    /// the epoch it is up in.
    func connectedEpoch() async -> Int {
        while (!brokerUp || ledger.pathHeld(now: clock.now)) && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
        }
        return epoch
    }

    func heard(_ beat: Heartbeat) {
        let guest = GuestName(deployable: beat.deployable, assembly: beat.assembly)
        if let change = ledger.heard(beat, now: clock.now) {
            publish(.liveness(guest, change))
        }
        updateConnection()
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
            everConnected = true
            ledger.restartGracePeriods(now: clock.now)
        case .disconnected(let reason):
            if brokerUp {
                log("broker connection lost (\(reason)): verdicts suspended")
                epoch += 1
            }
            brokerUp = false
            brokerDownReason = reason
        }
        updateConnection()
    }

    func tick() {
        guard brokerUp else { return }
        updateConnection()  // a hold that ran out says so before the verdicts it held
        for (guest, verdict) in ledger.judge(now: clock.now) {
            publish(.liveness(guest, verdict))
        }
        updateConnection()
    }

    /// The connection engines see: down while the broker connection is, or while the path is
    /// suspect (said once in the log per hold); nothing before the first connect.
    private func updateConnection() {
        guard everConnected else { return }
        if !brokerUp {
            feed.set(.down(reason: brokerDownReason))
        } else if let reason = ledger.pathHoldReason(now: clock.now) {
            if !pathSaid { log("verdicts held: \(reason)") }
            pathSaid = true
            feed.set(.down(reason: reason))
        } else {
            if pathSaid { log("verdicts resume: the path is back or the hold ran out") }
            pathSaid = false
            feed.set(.up)
        }
    }

    func finish() {
        hub.finish()
        feed.finish()
    }

    private func publish(_ observation: Observation) {
        hub.publish(observation)
    }
}
