import Foundation

/// A bounded, backing-off poll: first after `initial`, each wait `factor` times longer up to
/// `maximum`, giving up after `timeout` in total.
public struct PollSchedule: Sendable, Hashable {
    public var initial: Duration
    public var factor: Double
    public var maximum: Duration
    public var timeout: Duration

    public init(
        initial: Duration = .milliseconds(200), factor: Double = 1.5, maximum: Duration = .seconds(5),
        timeout: Duration = .seconds(600)
    ) {
        self.initial = initial
        self.factor = factor
        self.maximum = maximum
        self.timeout = timeout
    }

    /// Calls `check` until it returns a value, sleeping between calls; nil after `timeout`.
    public func poll<T: Sendable>(_ check: () async throws -> T?) async throws -> T? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var delay = initial
        while true {
            if let value = try await check() { return value }
            guard clock.now + delay < deadline else { return nil }
            try await Task.sleep(for: delay)
            delay = min(delay * factor, maximum)
        }
    }
}

/// A server went to ERROR; carries Nova's fault message (why the build or action failed).
public struct NovaServerFailed: Error, Sendable, CustomStringConvertible {
    public var serverID: String
    public var fault: String
    public var description: String { "server \(serverID) is in ERROR: \(fault)" }
}

extension NovaClient {
    /// Waits until the server is in one of `statuses` with no task running. ERROR throws
    /// `NovaServerFailed` with the fault; a vanished server or the deadline throw too.
    public func wait(_ id: String, for statuses: Set<String>, schedule: PollSchedule = PollSchedule()) async throws -> NovaServer
    {
        var last: NovaServer?
        let server = try await schedule.poll { () -> NovaServer? in
            guard let server = try await self.server(id) else {
                throw OpenStackError(
                    method: "GET", path: "/servers/\(id)", status: 404,
                    message: "the server disappeared while waiting for \(statuses.sorted().joined(separator: "/"))")
            }
            last = server
            if server.status == "ERROR" && !statuses.contains("ERROR") {
                throw NovaServerFailed(serverID: id, fault: server.fault?.message ?? "no fault recorded")
            }
            return statuses.contains(server.status) && server.isSettled ? server : nil
        }
        guard let server else {
            throw OpenStackTimeout(
                "server \(id) did not reach \(statuses.sorted().joined(separator: "/")) within \(schedule.timeout) (last \(last?.status ?? "?") task \(last?.taskState ?? "none"))"
            )
        }
        return server
    }

    /// Waits until GET /servers/{id} answers 404.
    public func waitUntilGone(_ id: String, schedule: PollSchedule = PollSchedule()) async throws {
        let gone = try await schedule.poll { () -> Bool? in try await self.server(id) == nil ? true : nil }
        if gone == nil { throw OpenStackTimeout("server \(id) still exists \(schedule.timeout) after delete") }
    }

    /// Runs an action, and on 409 (a task is running on the server) waits for it to settle and
    /// tries again, up to `attempts` times; the last 409 is thrown.
    public func retryingConflicts(
        _ id: String, attempts: Int = 3, schedule: PollSchedule = PollSchedule(timeout: .seconds(120)),
        _ action: () async throws -> Void
    ) async throws {
        var attempt = 1
        while true {
            do { return try await action() } catch let error as OpenStackError where error.isConflict && attempt < attempts {
                attempt += 1
                _ = try await schedule.poll { () -> Bool? in try await self.server(id)?.isSettled ?? true ? true : nil }
            }
        }
    }
}
