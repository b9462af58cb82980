import PCloudController
import Testing

// LeaseKeeper is pure: every instant here is built from one origin, nothing waits.

private let origin = ContinuousClock.now

private func at(_ seconds: Double) -> ContinuousClock.Instant { origin + .milliseconds(Int64(seconds * 1000)) }

@Test func aFreshLeaseIsActedOnUntilItsRenewalIsDue() throws {
    let keeper = LeaseKeeper(settings: try LeaseKeeper.Settings(), claimSentAt: at(0))
    #expect(keeper.decide(now: at(0)) == .keepActing(renewAt: at(3), deadline: at(8)))
    #expect(keeper.decide(now: at(2.999)) == .keepActing(renewAt: at(3), deadline: at(8)))
    #expect(keeper.decide(now: at(3)) == .renewNow(deadline: at(8)))
}

@Test func withoutASuccessfulRenewalActingStopsAtSentPlusLeaseMinusMargin() throws {
    let keeper = LeaseKeeper(settings: try LeaseKeeper.Settings(), claimSentAt: at(0))
    #expect(keeper.decide(now: at(7.999)) == .renewNow(deadline: at(8)), "failed renewals are retried until the deadline")
    #expect(keeper.decide(now: at(8)) == .stopActing)
    #expect(keeper.decide(now: at(60)) == .stopActing)
}

@Test func aSuccessfulRenewalMovesTheDeadlineFromWhenItWasSent() throws {
    var keeper = LeaseKeeper(settings: try LeaseKeeper.Settings(), claimSentAt: at(0))
    keeper.renewed(sentAt: at(3))  // answered at, say, 5: what counts is when it left
    #expect(keeper.decide(now: at(5)) == .keepActing(renewAt: at(6), deadline: at(11)))
    keeper.renewed(sentAt: at(1))  // an older renewal answered late
    #expect(keeper.deadline == at(11))
}

@Test func aHolderThatStoppedMayActAgainAfterALateRenewalSucceeds() throws {
    var keeper = LeaseKeeper(settings: try LeaseKeeper.Settings(), claimSentAt: at(0))
    #expect(keeper.decide(now: at(9)) == .stopActing)
    keeper.renewed(sentAt: at(9))
    #expect(keeper.decide(now: at(9.5)) == .keepActing(renewAt: at(12), deadline: at(17)))
}

@Test func theSettingsAreTheOnesGivenAndTheirOrderIsChecked() throws {
    let settings = try LeaseKeeper.Settings(lease: .seconds(30), renewEvery: .seconds(5), margin: .seconds(4))
    let keeper = LeaseKeeper(settings: settings, claimSentAt: at(0))
    #expect(keeper.decide(now: at(5)) == .renewNow(deadline: at(26)))
    #expect(throws: LeaseSettingsError.self) { try LeaseKeeper.Settings(lease: .seconds(10), margin: .seconds(10)) }
    #expect(throws: LeaseSettingsError.self) { try LeaseKeeper.Settings(lease: .seconds(10), margin: .seconds(-1)) }
    #expect(throws: LeaseSettingsError.self) { try LeaseKeeper.Settings(lease: .zero, margin: .zero) }
    #expect(throws: LeaseSettingsError.self) {
        try LeaseKeeper.Settings(lease: .seconds(10), renewEvery: .seconds(8), margin: .seconds(2))  // would stop before renewing
    }
    #expect(throws: LeaseSettingsError.self) { try LeaseKeeper.Settings(renewEvery: .zero) }
}
