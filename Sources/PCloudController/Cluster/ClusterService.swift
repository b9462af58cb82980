import Logging
import Metrics
import PCloudModel
import PCloudStore
import ServiceLifecycle

/// Keeps this controller in the cluster: heartbeats, claims the lease of every deployable it is
/// asked to own when it is free or expired, renews each by its `LeaseKeeper`, tells its listener
/// when it must stop acting (the local deadline passed) or has lost a lease (a refused renewal), and
/// at graceful shutdown (SIGTERM) releases every lease at once so others take over without waiting
/// for expiry. cped runs it when its store is PostgreSQL; `Engines` follows `changes`, starting
/// and halting engines.
public actor ClusterService: Service {
    /// What happened to a lease of this controller, in the order it happened.
    public enum Ownership: Sendable, Equatable {
        /// Claimed: act on the deployable, fencing writes with `epoch`.
        case acquired(deployable: String, epoch: Int64)
        /// No renewal succeeded before the local deadline: stop acting (the lease may come back).
        case stopActing(deployable: String)
        /// A renewal succeeded after `stopActing`: nobody claimed it meanwhile; act again.
        case resumed(deployable: String, epoch: Int64)
        /// Another controller holds it now (or it was released): stop for good.
        case lost(deployable: String, epoch: Int64)
        /// Handed over: no longer wanted, or at shutdown.
        case released(deployable: String, epoch: Int64)
    }

    let store: Store
    public nonisolated let controller: String
    let address: String
    let settings: LeaseKeeper.Settings
    let wanted: @Sendable () async -> [String]
    let logger: Logger
    private let continuation: AsyncStream<Ownership>.Continuation
    /// Every ownership change, for the engines (and tests).
    public nonisolated let changes: AsyncStream<Ownership>

    private var held: [String: (epoch: Int64, keeper: LeaseKeeper, acting: Bool)] = [:]

    /// `wanted` says which deployables this controller should own now (asked every round). A held
    /// deployable it no longer names is released at once: by then nothing may act on it here.
    public init(
        store: Store, controller: String, address: String, settings: LeaseKeeper.Settings,
        logger: Logger = Logger(label: "pcloud.cluster"), wanted: @escaping @Sendable () async -> [String]
    ) {
        self.store = store
        self.controller = controller
        self.address = address
        self.settings = settings
        self.wanted = wanted
        self.logger = logger
        (changes, continuation) = AsyncStream.makeStream()
    }

    /// The epoch this controller may act under for `deployable`, or nil when it must not act.
    public func epoch(of deployable: String) -> Int64? {
        held[deployable].flatMap { $0.acting ? $0.epoch : nil }
    }

    /// The epoch to act on `deployable` under now, claiming its lease when nobody holds it (an
    /// operator's start or stop through this controller). Throws `StoreError.leaseHeld` naming the
    /// controller that holds it.
    public func acquire(_ deployable: String, now: ContinuousClock.Instant = .now) async throws -> Int64 {
        if let lease = held[deployable] {
            guard lease.acting else {
                throw APIError(
                    .serviceUnavailable,
                    "controller \(controller) could not renew the lease of deployable \(deployable) in time "
                        + "(the store is slow or unreachable): nothing is done on it here until a renewal succeeds",
                    field: "name")
            }
            return lease.epoch
        }
        let epoch = try await store.claim(deployable: deployable, by: controller, leaseSeconds: settings.lease.seconds)
        held[deployable] = (epoch, LeaseKeeper(settings: settings, claimSentAt: now), true)
        logger.info("lease claimed", metadata: ["deployable": "\(deployable)", "epoch": "\(epoch)"])
        continuation.yield(.acquired(deployable: deployable, epoch: epoch))
        return epoch
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.keepLeases() }
        // Outside the cancelled task, so the store commands of the handover are not cancelled too.
        await Task { await self.handOver() }.value
        continuation.finish()
    }

    private func keepLeases() async {
        while !Task.isCancelled {
            await tick()
            try? await Task.sleep(for: settings.renewEvery / 4)
        }
    }

    /// One round: heartbeat, renew what is due, stop what passed its deadline, claim what is wanted.
    /// `now` is the monotonic clock's (tests pass a later one instead of waiting).
    func tick(now: ContinuousClock.Instant = .now) async {
        do {
            try await store.heartbeat(controller: controller, address: address)
        } catch {
            logger.warning("cluster heartbeat failed", metadata: ["error": "\(error)"])
        }
        let wanted = Set(await wanted())
        for deployable in held.keys.sorted() where !wanted.contains(deployable) { await release(deployable) }
        await keep(now: now)
        for deployable in wanted.sorted() where held[deployable] == nil { await claim(deployable, now: now) }
        Gauge(label: "pcloud_leases_held").record(held.values.filter(\.acting).count)
    }

    /// Renews the leases that are due, all in one transaction sent at `now`; stops acting on those
    /// past their local deadline first.
    private func keep(now: ContinuousClock.Instant) async {
        var due: [String: Int64] = [:]
        for (deployable, lease) in held {
            switch lease.keeper.decide(now: now) {
            case .keepActing: continue
            case .renewNow: break
            case .stopActing:
                if lease.acting {
                    held[deployable]?.acting = false
                    logger.error(
                        "no lease renewal succeeded in time: not acting on it until one does",
                        metadata: ["deployable": "\(deployable)", "epoch": "\(lease.epoch)"])
                    continuation.yield(.stopActing(deployable: deployable))
                }
            }
            due[deployable] = lease.epoch
        }
        guard !due.isEmpty else { return }
        let stale: Set<String>
        do {
            let sent = ContinuousClock.now
            stale = try await store.renew(due, by: controller, leaseSeconds: settings.lease.seconds)
            Timer(label: "pcloud_lease_renewal_seconds").recordNanoseconds(Int64((ContinuousClock.now - sent) / .nanoseconds(1)))
        } catch {
            logger.warning("lease renewal failed", metadata: ["leases": "\(due.count)", "error": "\(error)"])
            return
        }
        for (deployable, epoch) in due.sorted(by: { $0.key < $1.key }) {
            if stale.contains(deployable) {
                held[deployable] = nil
                logger.warning(
                    "lease lost to another controller", metadata: ["deployable": "\(deployable)", "epoch": "\(epoch)"])
                continuation.yield(.lost(deployable: deployable, epoch: epoch))
                continue
            }
            held[deployable]?.keeper.renewed(sentAt: now)
            if held[deployable]?.acting == false {
                held[deployable]?.acting = true
                continuation.yield(.resumed(deployable: deployable, epoch: epoch))
            }
        }
    }

    /// Claims a lease, sent at `sent`.
    private func claim(_ deployable: String, now sent: ContinuousClock.Instant) async {
        do {
            let epoch = try await store.claim(deployable: deployable, by: controller, leaseSeconds: settings.lease.seconds)
            held[deployable] = (epoch, LeaseKeeper(settings: settings, claimSentAt: sent), true)
            logger.info("lease claimed", metadata: ["deployable": "\(deployable)", "epoch": "\(epoch)"])
            // Claimed by this controller's round, not an operator's request: taken over from another.
            if epoch > 1 { Counter(label: "pcloud_lease_takeovers_total").increment() }
            continuation.yield(.acquired(deployable: deployable, epoch: epoch))
        } catch StoreError.leaseHeld {
            return
        } catch {
            logger.warning("lease claim failed", metadata: ["deployable": "\(deployable)", "error": "\(error)"])
        }
    }

    private func handOver() async {
        for deployable in held.keys.sorted() { await release(deployable) }
        try? await store.leave(controller: controller)
    }

    /// Gives one lease up (no longer wanted, or shutdown). A failed release is left to expire.
    private func release(_ deployable: String) async {
        guard let lease = held.removeValue(forKey: deployable) else { return }
        do {
            try await store.release(deployable: deployable, by: controller, epoch: lease.epoch)
            logger.info("lease handed over", metadata: ["deployable": "\(deployable)", "epoch": "\(lease.epoch)"])
            continuation.yield(.released(deployable: deployable, epoch: lease.epoch))
        } catch {
            logger.warning("lease release failed", metadata: ["deployable": "\(deployable)", "error": "\(error)"])
        }
    }
}
