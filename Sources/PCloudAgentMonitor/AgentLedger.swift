import PCloudAMQP
import PCloudModel

/// What the controller knows of each agent: last heartbeat, boot id, verdict. Pure bookkeeping
/// driven by heartbeats and clock ticks; returns the observations to publish.
struct AgentLedger {
    struct Record {
        var settings: AgentSettings
        var lastHeard: ContinuousClock.Instant?
        var firstWatched: ContinuousClock.Instant
        var seq: UInt64 = 0
        var bootID: String?
        var uptime: Double = 0
        var reachable = false
        var reported = false
    }

    /// Allowance over `missed × interval` for delivery jitter before a guest is judged unreachable.
    static let slack: Duration = .milliseconds(100)

    var records: [GuestName: Record] = [:]
    /// One entry per heartbeat heard (and per grace period or settings change): the instant the
    /// guest becomes stale unless heard again.
    var deadlines = DeadlineHeap()
    let defaults: AgentSettings
    /// The newest heartbeat from any agent, and since when verdicts are held because every agent
    /// fell silent at once (see AgentLedger+PathHold.swift).
    var lastHeardAny: ContinuousClock.Instant?
    var pathHeldSince: ContinuousClock.Instant?
    var heldGuests: Set<GuestName> = []

    init(defaults: AgentSettings) {
        self.defaults = defaults
    }

    mutating func watch(_ guest: GuestName, settings: AgentSettings?, now: ContinuousClock.Instant) {
        if records[guest] == nil {
            records[guest] = Record(settings: settings ?? defaults, firstWatched: now)
        } else if let settings {
            records[guest]?.settings = settings
            if let last = records[guest]?.lastHeard { deadlines.push(guest, at: last + Self.limit(settings)) }
        }
    }

    mutating func forget(_ guest: GuestName) {
        records[guest] = nil
    }

    /// A heartbeat arrived; returns the liveness change it means, if any (first contact, back
    /// after being unreachable, or a new boot id: the guest rebooted).
    mutating func heard(_ beat: Heartbeat, now: ContinuousClock.Instant) -> Liveness? {
        let guest = GuestName(deployable: beat.deployable, assembly: beat.assembly)
        var record = records[guest] ?? Record(settings: defaults, firstWatched: now)
        let rebooted = record.bootID != nil && record.bootID != beat.bootID
        let changed = !record.reachable || rebooted || !record.reported
        record.lastHeard = now
        record.seq = beat.seq
        record.bootID = beat.bootID
        record.uptime = beat.uptime
        record.reachable = true
        record.reported = true
        records[guest] = record
        deadlines.push(guest, at: now + Self.limit(record.settings))
        pathHeard(from: guest, now: now)
        return changed ? .alive(uptime: .saturating(seconds: beat.uptime), bootID: beat.bootID) : nil
    }

    /// Guests whose heartbeats stopped: reported once each, until they are heard again.
    mutating func judge(now: ContinuousClock.Instant) -> [(GuestName, Liveness)] {
        var verdicts: [(GuestName, Liveness)] = []
        while let expired = deadlines.popExpired(now: now) {
            guard let record = records[expired.guest], record.reachable,
                let reason = staleness(record, now: now)
            else { continue }  // heard again since, forgotten, or already reported
            if let holdEnd = holdsVerdict(of: expired.guest, record, now: now) {
                heldGuests.insert(expired.guest)
                deadlines.push(expired.guest, at: holdEnd)
                continue
            }
            records[expired.guest]?.reachable = false
            verdicts.append((expired.guest, .unreachable(reason: reason)))
        }
        return verdicts
    }

    /// Extra time agents get after a broker outage to reconnect (their backoff tops out at 5 s).
    static let outageGrace: Duration = .seconds(6)

    /// After the controller's own broker connection came back: every guest gets a fresh grace
    /// period, so a broker outage is never read as all guests failing at once.
    mutating func restartGracePeriods(now: ContinuousClock.Instant) {
        for (guest, record) in records where record.lastHeard != nil {
            records[guest]?.lastHeard = now + Self.outageGrace
            lastHeardAny = now + Self.outageGrace
            deadlines.push(guest, at: now + Self.outageGrace + Self.limit(record.settings))
        }
        pathHeldSince = nil
        heldGuests = []
    }

    func liveness(of guest: GuestName, now: ContinuousClock.Instant) -> Liveness? {
        guard let record = records[guest], record.lastHeard != nil else { return nil }
        if pathHeld(now: now) { return lastVerdict(of: guest) }
        if let reason = staleness(record, now: now) { return .unreachable(reason: reason) }
        return .alive(uptime: .saturating(seconds: record.uptime), bootID: record.bootID)
    }

    /// The verdict last reported, without judging anew (while the broker is unreachable).
    func lastVerdict(of guest: GuestName) -> Liveness? {
        guard let record = records[guest], record.lastHeard != nil else { return nil }
        guard record.reachable else { return .unreachable(reason: "no heartbeat before the broker connection was lost") }
        return .alive(uptime: .saturating(seconds: record.uptime), bootID: record.bootID)
    }

    /// How long a guest with `settings` may stay silent before it is unreachable.
    static func limit(_ settings: AgentSettings) -> Duration {
        settings.heartbeat * settings.missedHeartbeats + slack
    }

    func staleness(_ record: Record, now: ContinuousClock.Instant) -> String? {
        guard let last = record.lastHeard else { return nil }
        let limit = Self.limit(record.settings)
        let silent = now - last
        guard silent > limit else { return nil }
        return "no heartbeat for \(silent.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))) "
            + "(\(record.settings.missedHeartbeats) missed, last seq \(record.seq))"
    }
}
