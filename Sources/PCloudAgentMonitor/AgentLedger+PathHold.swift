import PCloudModel

/// Unknown is not down: when a guest's heartbeats stop and no agent at all has been heard for
/// longer than another agent's heartbeat interval, although that one should have been, the path
/// between the agents and the controller is late (a broker shutting down or stalled with its connection still open, a
/// controller starved of CPU), not every guest at once. Verdicts then wait, bounded by
/// `pathHold`: a heartbeat from any agent proves the path again and every held guest gets a fresh
/// window; when the hold runs out the silence is taken as real (a host with all its guests gone).
/// With a single agent watched there is no witness and nothing is held.
extension AgentLedger {
    /// How long verdicts wait for the path to come back.
    static let pathHold: Duration = .seconds(10)

    /// Whether verdicts are held now.
    func pathHeld(now: ContinuousClock.Instant) -> Bool {
        guard let since = pathHeldSince else { return false }
        return now < since + Self.pathHold
    }

    /// Why verdicts are held, while they are (the same words for the whole hold).
    func pathHoldReason(now: ContinuousClock.Instant) -> String? {
        guard pathHeld(now: now), let since = pathHeldSince, let any = lastHeardAny else { return nil }
        let silent = (since - any).formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))
        return "no agent heard for \(silent) while the broker connection is open: the path, not each guest, is suspect; "
            + "verdicts wait up to \(Self.pathHold.formatted(.units(allowed: [.seconds], width: .narrow)))"
    }

    /// The instant a stale guest's verdict waits for, or nil to judge it now.
    mutating func holdsVerdict(
        of guest: GuestName, _ record: Record, now: ContinuousClock.Instant
    ) -> ContinuousClock.Instant? {
        if let since = pathHeldSince { return pathHeld(now: now) ? since + Self.pathHold : nil }
        guard pathSilent(around: guest, record, now: now) else { return nil }
        pathHeldSince = now
        return now + Self.pathHold
    }

    /// No agent at all was heard for longer than some other reachable agent's heartbeat interval,
    /// and that interval is shorter than `guest`'s window: that agent should have been heard.
    func pathSilent(around guest: GuestName, _ record: Record, now: ContinuousClock.Instant) -> Bool {
        guard let any = lastHeardAny else { return false }
        let quiet = now - any
        guard quiet > Self.slack else { return false }  // someone was heard just now: the common case
        let window = Self.limit(record.settings)
        return records.contains { other, witness in
            let expected = witness.settings.heartbeat + Self.slack
            return other != guest && witness.reachable && witness.lastHeard != nil && expected < window && quiet > expected
        }
    }

    /// A heartbeat arrived: the path works. A hold ends, and each guest held gets a fresh window
    /// from now (its own heartbeat is most likely right behind this one).
    mutating func pathHeard(from guest: GuestName, now: ContinuousClock.Instant) {
        lastHeardAny = now
        guard pathHeldSince != nil else { return }
        pathHeldSince = nil
        for held in heldGuests where held != guest {
            guard let record = records[held], record.reachable else { continue }
            records[held]?.lastHeard = now
            deadlines.push(held, at: now + Self.limit(record.settings))
        }
        heldGuests = []
    }
}
