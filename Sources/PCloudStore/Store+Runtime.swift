import Foundation
import GRDB

/// A recorded failure: the history escalation decisions are made from, kept across restarts.
public struct FailureRecord: Sendable, Equatable, Codable {
    public var deployable: String
    /// "" for a deployable-level failure.
    public var assembly: String
    /// "" for an assembly-level failure.
    public var resource: String
    public var at: Double
    public var reason: String

    public init(deployable: String, assembly: String = "", resource: String = "", at: Double, reason: String) {
        self.deployable = deployable
        self.assembly = assembly
        self.resource = resource
        self.at = at
        self.reason = reason
    }
}

/// The last known state of a deployable ("" assembly), an assembly ("" resource) or a resource.
public struct RuntimeStateRecord: Sendable, Equatable, Codable {
    public var deployable: String
    public var assembly: String
    public var resource: String
    public var state: String
    /// JSON detail: address, instance id, last operation result...
    public var detail: String?
    public var updatedAt: Double

    public init(
        deployable: String, assembly: String = "", resource: String = "", state: String, detail: String? = nil,
        updatedAt: Double
    ) {
        self.deployable = deployable
        self.assembly = assembly
        self.resource = resource
        self.state = state
        self.detail = detail
        self.updatedAt = updatedAt
    }
}

extension Store {
    public func record(_ failures: [FailureRecord]) throws {
        try database.write { try Self.record(failures, $0) }
    }

    static func record(_ failures: [FailureRecord], _ db: Database) throws {
        for failure in failures {
            try db.execute(
                sql: "INSERT INTO failure (deployable, assembly, resource, at, reason) VALUES (?, ?, ?, ?, ?)",
                arguments: [failure.deployable, failure.assembly, failure.resource, failure.at, failure.reason])
        }
    }

    public func failures(deployable: String) throws -> [FailureRecord] {
        try database.read { try Self.failures(deployable: deployable, $0) }
    }

    static func failures(deployable: String, _ db: Database) throws -> [FailureRecord] {
        try Row.fetchAll(
            db, sql: "SELECT deployable, assembly, resource, at, reason FROM failure WHERE deployable = ? ORDER BY at, id",
            arguments: [deployable]
        ).map {
            FailureRecord(
                deployable: $0["deployable"], assembly: $0["assembly"], resource: $0["resource"], at: $0["at"],
                reason: $0["reason"])
        }
    }

    /// Forgets the failures of one element (after escalation resets its history, or an operator clears it).
    public func clearFailures(deployable: String, assembly: String, resource: String) throws {
        try database.write { try Self.clearFailures(deployable: deployable, assembly: assembly, resource: resource, $0) }
    }

    static func clearFailures(deployable: String, assembly: String, resource: String, _ db: Database) throws {
        try db.execute(
            sql: "DELETE FROM failure WHERE deployable = ? AND assembly = ? AND resource = ?",
            arguments: [deployable, assembly, resource])
    }

    public func save(_ states: [RuntimeStateRecord]) throws {
        try database.write { try Self.save(states, $0) }
    }

    static func save(_ states: [RuntimeStateRecord], _ db: Database) throws {
        for state in states {
            try db.execute(
                sql: """
                    INSERT INTO runtimeState (deployable, assembly, resource, state, detail, updatedAt) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(deployable, assembly, resource) DO UPDATE SET state = excluded.state, detail = excluded.detail,
                    updatedAt = excluded.updatedAt
                    """,
                arguments: [state.deployable, state.assembly, state.resource, state.state, state.detail, state.updatedAt])
        }
    }

    public func states(deployable: String) throws -> [RuntimeStateRecord] {
        try database.read { try Self.states(deployable: deployable, $0) }
    }

    static func states(deployable: String, _ db: Database) throws -> [RuntimeStateRecord] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM runtimeState WHERE deployable = ? ORDER BY assembly, resource",
            arguments: [deployable]
        ).map {
            RuntimeStateRecord(
                deployable: $0["deployable"], assembly: $0["assembly"], resource: $0["resource"],
                state: $0["state"], detail: $0["detail"], updatedAt: $0["updatedAt"])
        }
    }

    /// The state of a deployable whose stored runtime says it is started or stopping (the operator
    /// asked for it to run, or its engine is still monitoring it), or nil when it is stopped.
    static func startedState(of deployable: String, _ db: Database) throws -> String? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT state, detail FROM runtimeState WHERE deployable = ? AND assembly = '' AND resource = ''",
                arguments: [deployable])
        else { return nil }
        return startedState(state: row["state"], detail: row["detail"])
    }

    /// `state` when a deployable's stored runtime (its state and detail) says it is started or stopping.
    /// Every deployable whose stored runtime says it is started or stopping, in one read.
    static func startedDeployables(_ db: Database) throws -> [String] {
        try Row.fetchAll(
            db, sql: "SELECT deployable, state, detail FROM runtimeState WHERE assembly = '' AND resource = '' ORDER BY deployable"
        ).compactMap { row in startedState(state: row["state"], detail: row["detail"]).map { _ in row["deployable"] } }
    }

    static func startedState(state: String, detail: String?) -> String? {
        let detail = detail.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]
        let runtime = (detail?["runtime"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
            as? [String: Any]
        let desiredRunning = detail?["desired"] as? String == "running"
        let monitoring = runtime?["monitoring"] as? Bool ?? false
        return desiredRunning || monitoring || !["stopped", "failed"].contains(state) ? state : nil
    }
}
