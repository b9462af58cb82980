import GRDB

/// Cluster membership and leases. Every time is the database's clock, never a controller's: on
/// PostgreSQL the server's `clock_timestamp()`, on SQLite the clock SQLite reads (the one machine's).
/// With one controller on SQLite it simply claims every lease and nobody else ever asks.
extension Store {
    /// Records that `controller` is alive and reachable at `address` (its first heartbeat is its start).
    public func heartbeat(controller: String, address: String) async throws {
        try await backend.heartbeat(controller: controller, address: address)
    }

    /// Removes `controller` from the members (a clean shutdown).
    public func leave(controller: String) async throws { try await backend.leave(controller: controller) }

    /// Every controller that has heartbeat and not left, by id, with its heartbeat's age.
    public func members() async throws -> [ClusterMember] { try await backend.members() }

    /// Takes the lease of `deployable` for `holder` for `leaseSeconds` when it is free, released or
    /// expired; returns the new epoch (one more than the last, 1 for the first claim). Throws
    /// `StoreError.leaseHeld` when someone (even `holder` itself: it renews instead) holds it.
    @discardableResult
    public func claim(deployable: String, by holder: String, leaseSeconds: Double) async throws -> Int64 {
        try Self.checkLength(leaseSeconds)
        return try await backend.claim(deployable: deployable, by: holder, leaseSeconds: leaseSeconds)
    }

    /// Extends `holder`'s lease under `epoch` to `leaseSeconds` from now. Throws
    /// `StoreError.staleEpoch` when the lease is no longer `holder`'s under `epoch`. A lease that
    /// expired but that nobody claimed since is still `holder`'s and is renewed: nobody else has acted.
    public func renew(deployable: String, by holder: String, epoch: Int64, leaseSeconds: Double) async throws {
        try Self.checkLength(leaseSeconds)
        try await backend.renew(deployable: deployable, by: holder, epoch: epoch, leaseSeconds: leaseSeconds)
    }

    /// Renews several of `holder`'s leases in one transaction (one round of a controller's upkeep);
    /// returns those that were not renewed because they are no longer `holder`'s under the epoch given
    /// (each as `renew` would have refused it). The others' expiry is `leaseSeconds` from now.
    public func renew(_ leases: [String: Int64], by holder: String, leaseSeconds: Double) async throws -> Set<String> {
        try Self.checkLength(leaseSeconds)
        return try await backend.renew(leases, by: holder, leaseSeconds: leaseSeconds)
    }

    /// Gives the lease up at once (handover, SIGTERM): another controller may claim it immediately,
    /// and writes under `epoch` are refused from now on. `StoreError.staleEpoch` when it was not held.
    public func release(deployable: String, by holder: String, epoch: Int64) async throws {
        try await backend.release(deployable: deployable, by: holder, epoch: epoch)
    }

    /// Every lease row, by deployable (for cluster_status).
    public func leases() async throws -> [DeployableLease] { try await backend.leases() }

    static func checkLength(_ seconds: Double) throws {
        guard seconds >= 0, seconds.isFinite else {
            throw StoreError.invalid("a lease lasts zero or more seconds, not \(seconds)")
        }
    }

    // SQLite: one writer at a time, so reading then writing inside the transaction is enough.

    /// SQLite's clock, seconds since 1970 (milliseconds resolution).
    static func databaseNow(_ db: Database) throws -> Double {
        try Double.fetchOne(db, sql: "SELECT (julianday('now') - 2440587.5) * 86400.0") ?? 0
    }

    static func heartbeat(controller: String, address: String, _ db: Database) throws {
        let now = try databaseNow(db)
        try db.execute(
            sql: """
                INSERT INTO member (controller, address, heartbeatAt, startedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT(controller) DO UPDATE SET address = excluded.address, heartbeatAt = excluded.heartbeatAt
                """, arguments: [controller, address, now, now])
    }

    static func leave(controller: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM member WHERE controller = ?", arguments: [controller])
    }

    static func members(_ db: Database) throws -> [ClusterMember] {
        let now = try databaseNow(db)
        return try Row.fetchAll(db, sql: "SELECT * FROM member ORDER BY controller").map {
            ClusterMember(
                controller: $0["controller"], address: $0["address"], heartbeatAge: now - ($0["heartbeatAt"] as Double),
                startedAt: $0["startedAt"])
        }
    }

    static func lease(of deployable: String, _ db: Database) throws -> (holder: String?, epoch: Int64, expiresAt: Double)? {
        try Row.fetchOne(db, sql: "SELECT holder, epoch, expiresAt FROM lease WHERE deployable = ?", arguments: [deployable])
            .map { ($0["holder"], $0["epoch"], $0["expiresAt"]) }
    }

    static func claim(deployable: String, by holder: String, leaseSeconds: Double, _ db: Database) throws -> Int64 {
        let now = try databaseNow(db)
        let current = try lease(of: deployable, db)
        if let current, let owner = current.holder, current.expiresAt > now {
            throw StoreError.leaseHeld(deployable: deployable, holder: owner, epoch: current.epoch)
        }
        let epoch = (current?.epoch ?? 0) + 1
        try db.execute(
            sql: """
                INSERT INTO lease (deployable, holder, epoch, expiresAt) VALUES (?, ?, ?, ?)
                ON CONFLICT(deployable) DO UPDATE SET holder = excluded.holder, epoch = excluded.epoch,
                expiresAt = excluded.expiresAt
                """, arguments: [deployable, holder, epoch, now + leaseSeconds])
        return epoch
    }

    /// Throws `staleEpoch` unless `deployable`'s lease is held under `epoch` (by `holder` when given).
    static func checkEpoch(_ epoch: Int64, of deployable: String, holder: String? = nil, _ db: Database) throws {
        let current = try lease(of: deployable, db)
        guard let current, current.epoch == epoch, let owner = current.holder, holder == nil || owner == holder else {
            throw StoreError.staleEpoch(deployable: deployable, epoch: epoch, current: current?.epoch, holder: current?.holder)
        }
    }

    static func renew(deployable: String, by holder: String, epoch: Int64, leaseSeconds: Double, _ db: Database) throws {
        try checkEpoch(epoch, of: deployable, holder: holder, db)
        try db.execute(
            sql: "UPDATE lease SET expiresAt = ? WHERE deployable = ?",
            arguments: [try databaseNow(db) + leaseSeconds, deployable])
    }

    static func release(deployable: String, by holder: String, epoch: Int64, _ db: Database) throws {
        try checkEpoch(epoch, of: deployable, holder: holder, db)
        try db.execute(
            sql: "UPDATE lease SET holder = NULL, expiresAt = ? WHERE deployable = ?",
            arguments: [try databaseNow(db), deployable])
    }

    static func leases(_ db: Database) throws -> [DeployableLease] {
        let now = try databaseNow(db)
        return try Row.fetchAll(db, sql: "SELECT * FROM lease ORDER BY deployable").map {
            DeployableLease(
                deployable: $0["deployable"], holder: $0["holder"], epoch: $0["epoch"],
                expiresIn: ($0["expiresAt"] as Double) - now)
        }
    }
}
