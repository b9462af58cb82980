/// Whether a controller may still act on a deployable it holds the lease of, by its own monotonic
/// clock alone (pure: the caller passes the time in). The store's lease runs out by the database's
/// clock `lease` after the database applied the last renewal, which is after the controller *sent*
/// it; so a controller that stops at `sent + lease − margin` by its own clock has stopped before
/// anyone can claim, as long as the two clocks' rates differ by less than `margin` over one lease
/// (bounded drift; the clocks need not agree on the time of day).
public struct LeaseKeeper: Sendable, Equatable {
    public typealias Instant = ContinuousClock.Instant

    /// Lease length, renewal interval and safety margin (defaults 10 s, 3 s, 2 s).
    public struct Settings: Sendable, Equatable {
        public let lease: Duration
        public let renewEvery: Duration
        public let margin: Duration

        /// Refuses settings under which a holder would stop before its first renewal, or never.
        public init(lease: Duration = .seconds(10), renewEvery: Duration = .seconds(3), margin: Duration = .seconds(2)) throws {
            guard lease > .zero, margin >= .zero, margin < lease else {
                throw LeaseSettingsError(
                    "the safety margin (\(margin)) must be at least zero and shorter than the lease (\(lease))")
            }
            guard renewEvery > .zero, renewEvery < lease - margin else {
                throw LeaseSettingsError(
                    "the renewal interval (\(renewEvery)) must be shorter than the lease less the margin (\(lease - margin)), or the holder stops before it renews"
                )
            }
            self.lease = lease
            self.renewEvery = renewEvery
            self.margin = margin
        }
    }

    public enum Decision: Sendable, Equatable {
        /// Keep acting; renew at `renewAt`, stop at `deadline` unless a renewal has succeeded by then.
        case keepActing(renewAt: Instant, deadline: Instant)
        /// Send a renewal now (a late or failed one is retried here); keep acting until `deadline`.
        case renewNow(deadline: Instant)
        /// The local deadline has passed: stop acting on the deployable (pause the engine, leave its
        /// guests alone). Renewing may still succeed if nobody claimed it since; that moves the
        /// deadline and the holder may act again. A refused renewal (`staleEpoch`) means it is lost.
        case stopActing
    }

    public let settings: Settings
    /// When the last successful claim or renewal was sent, by the controller's monotonic clock.
    public private(set) var lastRenewalSent: Instant

    /// A keeper for a lease whose claim was sent at `claimSentAt` and succeeded.
    public init(settings: Settings, claimSentAt: Instant) {
        self.settings = settings
        lastRenewalSent = claimSentAt
    }

    /// The moment acting must stop unless a later renewal succeeds.
    public var deadline: Instant { lastRenewalSent + settings.lease - settings.margin }

    public func decide(now: Instant) -> Decision {
        if now >= deadline { return .stopActing }
        let renewAt = lastRenewalSent + settings.renewEvery
        return now >= renewAt ? .renewNow(deadline: deadline) : .keepActing(renewAt: renewAt, deadline: deadline)
    }

    /// Records a renewal that succeeded, by the moment it was sent (not answered: the database may
    /// have applied it any time after it left). An older renewal answered late changes nothing.
    public mutating func renewed(sentAt: Instant) {
        lastRenewalSent = max(lastRenewalSent, sentAt)
    }
}

/// Lease settings that cannot work, said the way the operator set them.
public struct LeaseSettingsError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
