import Foundation
import PCloudModel
import PCloudStore

/// Several controllers on one store: a deployable's engine runs only on the controller holding
/// its lease (`ClusterService`), and every write it makes carries the lease's epoch, so a
/// controller that lost the lease can write and do nothing more. Leases are claimed by whichever
/// controller asks first: an operator's start or stop through it, or its cluster round finding a
/// started deployable nobody holds (its owner stopped or died and the lease expired).
extension Engines {
    /// The deployables this controller wants to own, spread evenly over the live controllers:
    /// every one with an engine here, plus free started ones (per the store) up to its share
    /// (started ÷ live controllers, rounded up). Holding more than its share (it was alone, or an
    /// operator started them here), it hands one over at a quiet moment: the engine is halted
    /// first, then the lease is released when this list leaves it out, and another controller
    /// claims it and adopts its guests.
    public func wantedDeployables() async -> [String] {
        let stored = (try? await controller.store.startedDeployables()) ?? []
        let started = Set(running.keys).union(stored.filter { !deleting.contains($0) })
        guard let cluster, !started.isEmpty else { return running.keys.sorted() }
        let lease = cluster.settings.lease.seconds
        let live = (try? await controller.store.members().filter { $0.heartbeatAge < lease }.count) ?? 1
        let share = (started.count + max(1, live) - 1) / max(1, live)
        var mine = Set(running.keys)
        if mine.count > share, live > 1, let spare = await quietEngine(among: mine) {
            await halt(spare)
            mine.remove(spare)
            _ = try? await controller.publish([
                StoredEvent(
                    at: controller.clock.now, deployable: spare, kind: "cluster.handover",
                    message: "controller \(cluster.controller) hands deployable \(spare) over to spread the work "
                        + "(\(started.count) started, \(live) controllers)")
            ])
        }
        let held = Set(((try? await controller.store.leases()) ?? []).filter(\.isHeld).map(\.deployable))
        let free = started.subtracting(mine).subtracting(held).sorted()
        return (mine.sorted() + free.prefix(max(0, share - mine.count))).sorted()
    }

    /// The last (by name) engine here at a quiet moment, to hand over.
    private func quietEngine(among names: Set<String>) async -> String? {
        for name in names.sorted().reversed() {
            if let engine = running[name]?.engine, await engine.isQuiet() { return name }
        }
        return nil
    }

    /// The lease epoch to act on `name` under (claimed now when free), or nil with one controller.
    /// Refused with 409 naming the owner when another controller holds it.
    func leaseEpoch(for name: String) async throws -> Int64? {
        guard let cluster else { return nil }
        do {
            return try await cluster.acquire(name)
        } catch StoreError.leaseHeld(_, let holder, let epoch) {
            let address = (try? await controller.store.members().first { $0.controller == holder }?.address) ?? nil
            throw APIError(
                .conflict,
                "deployable '\(name)' is run by controller \(holder) (lease epoch \(epoch))"
                    + (address.map { ", reachable at \($0)" } ?? "") + ": ask it, or wait until it stops",
                field: "name")
        }
    }

    /// Follows the lease changes: an engine runs while the lease is held and acted on, and is
    /// halted (guests left running, for the next owner) when it is not.
    func follow(_ changes: AsyncStream<ClusterService.Ownership>) async {
        for await change in changes {
            switch change {
            case .acquired(let name, let epoch), .resumed(let name, let epoch):
                await takeOver(name, epoch: epoch)
            case .stopActing(let name), .lost(let name, _), .released(let name, _):
                await halt(name)
            }
        }
    }

    private func takeOver(_ name: String, epoch: Int64) async {
        if let existing = running[name] {
            guard existing.engine.epoch != epoch else { return }
            await halt(name)  // an engine under an older lease must not go on
        }
        do {
            let engine = try await engine(for: name, resuming: true, epoch: epoch)
            _ = try? await engine.publish([
                StoredEvent(
                    at: controller.clock.now, deployable: name, kind: "cluster.owner",
                    message: "controller \(cluster?.controller ?? "") now owns deployable \(name) (lease epoch \(epoch))")
            ])
        } catch {
            _ = try? await controller.publish(
                [
                    StoredEvent(
                        at: controller.clock.now, deployable: name, kind: "deployable.problem", severity: .error,
                        message: "deployable \(name) could not be taken over: \(error)")
                ], epoch: epoch)
        }
    }

    /// A 409 naming the owner when another controller holds `name`'s lease (a request that needs
    /// the running engine, sent to a controller that does not run it).
    func refuseIfOwnedElsewhere(_ name: String) async throws {
        guard let cluster,
            let lease = try? await controller.store.leases().first(where: { $0.deployable == name }),
            let holder = lease.holder, holder != cluster.controller, lease.expiresIn > 0
        else { return }
        throw APIError(
            .conflict, "deployable '\(name)' is run by controller \(holder) (lease epoch \(lease.epoch)): ask it",
            field: "name")
    }

    /// Stops the engine acting here, as at controller shutdown: the guests keep running.
    func halt(_ name: String) async {
        guard let (engine, task) = running[name] else { return }
        task.cancel()
        await task.value
        // Only this engine: another may have been made for the name while this one stopped.
        if running[name]?.engine === engine { running[name] = nil }
    }
}
