/// Messages a `.newestOnly` subscription's consumer was too slow to take: its stream keeps the
/// newest ones and drops the oldest. That must never pass in silence (a monitor that drops
/// heartbeats would judge live guests silent), so the loop logs it, at most every 5 seconds, with
/// the count since. (`.everyMessage` subscriptions never drop: the broker holds their backlog.)
struct ConsumerLag {
    private var dropped = 0
    private var lastReport: ContinuousClock.Instant?

    /// Counts one dropped message; returns what to log when a report is due.
    mutating func dropped(now: ContinuousClock.Instant) -> String? {
        dropped += 1
        if let lastReport, now - lastReport < .seconds(5) { return nil }
        defer {
            lastReport = now
            dropped = 0
        }
        return "the consumer is behind: dropped the oldest \(dropped) message(s) since the last report"
    }
}
