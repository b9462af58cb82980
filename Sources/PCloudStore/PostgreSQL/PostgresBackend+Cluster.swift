import Logging
import PostgresNIO

/// Membership, leases and fencing on PostgreSQL. Every time is the server's `clock_timestamp()`
/// (the moment the statement runs, later than the controller sent it), never a controller's clock.
/// A claim is one conditional upsert, so two controllers claiming at once give one winner: the
/// loser's statement either sees the winner's row (refused) or conflicts and is retried.
extension PostgresBackend {
    func heartbeat(controller: String, address: String) async throws {
        try await transaction { connection, logger in
            try await connection.execute(
                """
                INSERT INTO member (controller, address, heartbeatAt, startedAt)
                VALUES (\(controller), \(address), clock_timestamp(), clock_timestamp())
                ON CONFLICT (controller) DO UPDATE SET address = excluded.address, heartbeatAt = excluded.heartbeatAt
                """, logger)
        }
    }

    func leave(controller: String) async throws {
        try await transaction { connection, logger in
            try await connection.execute("DELETE FROM member WHERE controller = \(controller)", logger)
        }
    }

    func members() async throws -> [ClusterMember] {
        try await transaction(readOnly: true) { connection, logger in
            let rows = try await connection.query(
                """
                SELECT controller, address, CAST(EXTRACT(EPOCH FROM clock_timestamp() - heartbeatAt) AS double precision),
                CAST(EXTRACT(EPOCH FROM startedAt) AS double precision) FROM member ORDER BY controller
                """, logger: logger)
            var members: [ClusterMember] = []
            for try await (controller, address, age, startedAt) in rows.decode((String, String, Double, Double).self) {
                members.append(ClusterMember(controller: controller, address: address, heartbeatAge: age, startedAt: startedAt))
            }
            return members
        }
    }

    func claim(deployable: String, by holder: String, leaseSeconds: Double) async throws -> Int64 {
        try await transaction { connection, logger in
            let rows = try await connection.query(
                """
                INSERT INTO lease (deployable, holder, epoch, expiresAt)
                VALUES (\(deployable), \(holder), 1, clock_timestamp() + make_interval(secs => \(leaseSeconds)))
                ON CONFLICT (deployable) DO UPDATE SET holder = excluded.holder, epoch = lease.epoch + 1,
                expiresAt = excluded.expiresAt
                WHERE lease.holder IS NULL OR lease.expiresAt <= clock_timestamp()
                RETURNING epoch
                """, logger: logger)
            if let epoch = try await rows.firstEpoch() { return epoch }
            let (owner, epoch) = try await Self.lease(of: deployable, connection, logger, lock: false)
            throw StoreError.leaseHeld(deployable: deployable, holder: owner ?? "", epoch: epoch ?? 0)
        }
    }

    func renew(deployable: String, by holder: String, epoch: Int64, leaseSeconds: Double) async throws {
        try await transaction { connection, logger in
            let rows = try await connection.query(
                """
                UPDATE lease SET expiresAt = clock_timestamp() + make_interval(secs => \(leaseSeconds))
                WHERE deployable = \(deployable) AND holder = \(holder) AND epoch = \(epoch) RETURNING epoch
                """, logger: logger)
            if try await rows.firstEpoch() != nil { return }
            let (owner, current) = try await Self.lease(of: deployable, connection, logger, lock: false)
            throw StoreError.staleEpoch(deployable: deployable, epoch: epoch, current: current, holder: owner)
        }
    }

    func renew(_ leases: [String: Int64], by holder: String, leaseSeconds: Double) async throws -> Set<String> {
        guard !leases.isEmpty else { return [] }
        let names = Array(leases.keys)
        let epochs = names.map { leases[$0]! }
        return try await transaction { connection, logger in
            let rows = try await connection.query(
                """
                UPDATE lease SET expiresAt = clock_timestamp() + make_interval(secs => \(leaseSeconds))
                FROM unnest(\(names)::text[], \(epochs)::bigint[]) AS due(deployable, epoch)
                WHERE lease.deployable = due.deployable AND lease.epoch = due.epoch AND lease.holder = \(holder)
                RETURNING lease.deployable
                """, logger: logger)
            var renewed: Set<String> = []
            for try await deployable in rows.decode(String.self) { renewed.insert(deployable) }
            return Set(names).subtracting(renewed)
        }
    }

    func release(deployable: String, by holder: String, epoch: Int64) async throws {
        try await transaction { connection, logger in
            let rows = try await connection.query(
                """
                UPDATE lease SET holder = NULL, expiresAt = clock_timestamp()
                WHERE deployable = \(deployable) AND holder = \(holder) AND epoch = \(epoch) RETURNING epoch
                """, logger: logger)
            if try await rows.firstEpoch() != nil { return }
            let (owner, current) = try await Self.lease(of: deployable, connection, logger, lock: false)
            throw StoreError.staleEpoch(deployable: deployable, epoch: epoch, current: current, holder: owner)
        }
    }

    func leases() async throws -> [DeployableLease] {
        try await transaction(readOnly: true) { connection, logger in
            let rows = try await connection.query(
                """
                SELECT deployable, holder, epoch, CAST(EXTRACT(EPOCH FROM expiresAt - clock_timestamp()) AS double precision)
                FROM lease ORDER BY deployable
                """, logger: logger)
            var leases: [DeployableLease] = []
            for try await (deployable, holder, epoch, expiresIn) in rows.decode((String, String?, Int64, Double).self) {
                leases.append(DeployableLease(deployable: deployable, holder: holder, epoch: epoch, expiresIn: expiresIn))
            }
            return leases
        }
    }

    /// The holder and epoch of `deployable`'s lease (nils when it has none). With `lock`, the row is
    /// share-locked to the end of the transaction, so a claim cannot commit between a fenced write's
    /// check and its commit.
    static func lease(
        of deployable: String, _ connection: PostgresConnection, _ logger: Logger, lock: Bool
    ) async throws -> (holder: String?, epoch: Int64?) {
        let query: PostgresQuery =
            lock
            ? "SELECT holder, epoch FROM lease WHERE deployable = \(deployable) FOR SHARE"
            : "SELECT holder, epoch FROM lease WHERE deployable = \(deployable)"
        var lease: (holder: String?, epoch: Int64?) = (nil, nil)
        for try await (holder, epoch) in try await connection.query(query, logger: logger).decode((String?, Int64).self) {
            lease = (holder, epoch)
        }
        return lease
    }

    /// Refuses the transaction's write unless `epoch` is the current one of the batch's deployable
    /// (see `Store.fencedDeployable`); runs before anything is written.
    static func fence(_ deployables: [String], epoch: Int64?, _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard let epoch, let deployable = try Store.fencedDeployable(deployables, epoch: epoch) else { return }
        let (holder, current) = try await lease(of: deployable, connection, logger, lock: true)
        guard current == epoch, holder != nil else {
            throw StoreError.staleEpoch(deployable: deployable, epoch: epoch, current: current, holder: holder)
        }
    }
}

extension PostgresRowSequence {
    /// The first row's epoch column, reading every row (nil when there are none).
    fileprivate func firstEpoch() async throws -> Int64? {
        var first: Int64?
        for try await epoch in decode(Int64.self) where first == nil { first = epoch }
        return first
    }
}
