import PCloudModel
import Testing

@testable import PCloudPolicy

/// Durations read back from a store written before definitions had a maximum may be longer than any
/// definition allows; the policy's arithmetic on them saturates instead of trapping.

@Test func backoffNeverDoublesPastItsCapEvenWhenDoublingWouldOverflow() {
    let huge = Duration.seconds(Int64.max) * 10
    let backoff = RestartBackoff(base: huge, cap: huge)
    #expect(Plan.backoffDelay(backoff, failures: 2) == huge)
    #expect(Plan.backoffDelay(backoff, failures: 1000) == huge)
    let ordinary = RestartBackoff(base: .seconds(1), cap: .seconds(60))
    #expect([1, 2, 3, 4, 7, 8].map { Plan.backoffDelay(ordinary, failures: $0) } == [1, 2, 4, 8, 60, 60].map { .seconds($0) })
}

@Test func aFailureHistoryWithAHugeEscalationPeriodDecidesWithoutTrapping() {
    var window = FailureHistory()
    let limit = EscalationLimit(failures: 2, period: .seconds(Int64.max))
    #expect(window.record(at: 0, limit: limit) == .restart)
    #expect(window.record(at: 9e15, limit: limit) == .escalate(failures: 2, within: Duration.seconds(9_000_000_000_000_000)))
}
