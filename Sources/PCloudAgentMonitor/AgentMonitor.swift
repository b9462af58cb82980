import PCloudAMQP
import PCloudModel

/// The `Monitor` for guests running pcloud-agent: liveness from heartbeats (unreachable after
/// `missedHeartbeats` missed, a new boot id = rebooted), resource operations as AMQP requests
/// answered by the agent, and status changes the agents push. One AMQP connection (one proactor
/// thread) serves every guest; a slow controller may lose old heartbeats (logged) but never a
/// status change or a reply (see `AMQPDelivery`).
public final class AgentMonitor: Monitor, MonitorConnectionReporting {
    private let client: AMQPClient
    private let state: AgentMonitorState
    private let replies = PendingReplies(prefix: "pcloud-controller")
    private let log: @Sendable (String) -> Void
    /// Heartbeats, status changes and replies, each on its own link; consumed by `run()`.
    private let links: [AMQPReceiver]

    public init(
        endpoint: AMQPEndpoint, defaults: AgentSettings = AgentSettings(),
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        let client = AMQPClient(endpoint: endpoint, log: log)
        let state = AgentMonitorState(defaults: defaults, log: log)
        self.client = client
        self.state = state
        // Heartbeats on their own link, newest only: a backlog of stale heartbeats proves
        // nothing, and one falling behind must not hold up the rest. Status changes and replies
        // are never dropped: their links get credit only as they are handled, and the broker
        // queues what waits.
        let heartbeats = client.receive(from: AgentAddresses.controllerHeartbeats, credit: 1024, delivery: .newestOnly)
        let statuses = client.receive(from: AgentAddresses.controllerStatuses, credit: 256, delivery: .everyMessage)
        let answers = client.receive(from: AgentAddresses.controllerReplies, credit: 256, delivery: .everyMessage)
        self.log = log
        links = [heartbeats, statuses, answers]
    }

    /// The monitor's work: handling the agents' messages, following the broker connection, and
    /// judging silent guests every 10 ms. Runs until its task is cancelled or `shutdown()` is
    /// called, then closes the broker connection and ends every observation stream. Call it once,
    /// from the service that owns the monitor (cped runs it in its ServiceGroup); until it runs,
    /// messages wait in the links' buffers.
    public func run() async {
        let (state, replies, log, client) = (state, replies, log, client)
        await withTaskGroup(of: Void.self) { group in
            for messages in links {
                group.addTask {
                    for await message in messages {
                        await Self.handle(message, state: state, replies: replies, log: log)
                    }
                }
            }
            group.addTask {
                for await connection in client.connectionStates() {
                    await state.broker(connection)
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    // Verdicts come from a deadline heap, so a tick costs next to nothing: tick
                    // often, and a silent guest is judged within 10 ms of its deadline.
                    try? await Task.sleep(for: .milliseconds(10))
                    await state.tick()
                }
            }
            // The links and the connection states end together with the client (shutdown), or
            // everything ends with cancellation: the first child done stops the rest.
            await group.next()
            group.cancelAll()
        }
        await client.shutdown()
        await state.finish()
        log("stopped: broker connection closed")
    }

    /// One message from an agent, whichever link it came on (the subject says what it is).
    private static func handle(
        _ message: AMQPMessage, state: AgentMonitorState, replies: PendingReplies, log: @Sendable (String) -> Void
    ) async {
        switch AgentCodec.decode(message) {
        case .success(.heartbeat(let beat)) where !sentBy(message, beat.deployable):
            log("rejected message (heartbeat): sent by \(message.userID ?? "no user"), not \(user(beat.deployable))")
        case .success(.status(let change)) where !sentBy(message, change.deployable):
            log("rejected message (status): sent by \(message.userID ?? "no user"), not \(user(change.deployable))")
        case .success(.heartbeat(let beat)): await state.heard(beat)
        case .success(.status(let change)): await state.statusChanged(change)
        case .success(.reply): await replies.complete(message)
        case .success(.request(let request)): log("ignored a request \(request.id) sent to the controller")
        case .failure(let malformed):
            log("rejected message (\(message.subject ?? "no subject")): \(malformed.reason)")
        }
    }

    /// The broker user of a deployable's guests (see broker/pcloud-broker-users).
    public static func user(_ deployable: String) -> String { "pcloud-\(deployable)" }

    /// True when the broker-verified user-id is the deployable's own user: a guest cannot speak
    /// for another deployable's guests.
    static func sentBy(_ message: AMQPMessage, _ deployable: String) -> Bool {
        message.userID == user(deployable)
    }

    /// Starts watching `guest` with its assembly's heartbeat settings (heartbeats from guests not
    /// watched are tracked with the defaults).
    public func watch(_ guest: GuestName, settings: AgentSettings) async {
        await state.watch(guest, settings: settings)
    }

    public func liveness(of guest: GuestEndpoint, timeout: Duration) async -> Liveness {
        await state.watch(guest.name, settings: guest.agent)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let liveness = await state.liveness(of: guest.name) {
                if case .alive = liveness { return liveness }
                if clock.now >= deadline { return liveness }
            } else if clock.now >= deadline {
                return .unreachable(reason: "no heartbeat from \(guest.name) yet")
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    public func run(
        _ action: ResourceAction, resource: Resource, parameters: [String: String], on guest: GuestEndpoint,
        timeout: Duration
    ) async -> OperationResult {
        let name = guest.name
        let request = Self.request(action, resource: resource, parameters: parameters, on: name, timeout: timeout)
        do {
            let reply = try await send(request, to: name, timeout: timeout)
            guard Self.sentBy(reply, name.deployable) else {
                return OperationResult(
                    code: .unknownError,
                    transportError: "reply from \(reply.userID ?? "no user"), not \(Self.user(name.deployable))")
            }
            guard case .success(.reply(let answer)) = AgentCodec.decode(reply) else {
                return OperationResult(code: .unknownError, transportError: "malformed reply from \(name)")
            }
            return OperationResult(code: OCFExitCode(status: answer.code), output: answer.output)
        } catch {
            return OperationResult(code: .unknownError, transportError: "\(error)")
        }
    }

    /// The request for `action` on `resource` in guest `name`: the resource as the agent needs it
    /// (its invocation is built there), with its monitor interval.
    static func request(
        _ action: ResourceAction, resource: Resource, parameters: [String: String], on name: GuestName, timeout: Duration
    ) -> AgentRequest {
        let spec = ResourceSpec(
            name: resource.name, resourceClass: resource.resourceClass.rawValue, type: resource.type,
            provider: resource.provider, params: parameters,
            commands: resource.commands.map { ExecCommandSpec(monitor: $0.monitor, start: $0.start, stop: $0.stop) })
        return AgentRequest(
            id: "\(name).\(resource.name).\(action.rawValue)", action: action.rawValue, resource: spec, timeout: timeout.seconds,
            monitorInterval: resource.monitor.interval.seconds)
    }

    /// Sends the request once the broker connection is up; a request the broker lost with the
    /// connection is sent again after it is back (the agent's actions are idempotent), so the
    /// controller's own broker outage never reads as a failed operation.
    private func send(_ request: AgentRequest, to name: GuestName, timeout: Duration) async throws -> AMQPMessage {
        var attempt = 0
        while true {
            attempt += 1
            let epoch = await state.connectedEpoch()
            do {
                return try await replies.request(
                    AgentCodec.encode(.request(request)),
                    to: AgentAddresses.requests(deployable: name.deployable, assembly: name.assembly),
                    replyTo: AgentAddresses.replies(deployable: name.deployable, assembly: name.assembly),
                    timeout: timeout + .seconds(1), over: client)
            } catch {
                guard attempt < 5, await state.epoch != epoch, !Task.isCancelled else { throw error }
            }
        }
    }

    public func observations() -> AsyncStream<Observation> {
        state.hub.stream()
    }

    /// The controller's own broker connection; while it is down no guest is judged.
    public func brokerStates() -> AsyncStream<AMQPConnectionState> {
        client.connectionStates()
    }

    /// The connection for engines: up, and down after it had been up (the first connect is not
    /// an outage) while the broker connection is lost or the path through it is suspect.
    public func connectionStates() -> AsyncStream<MonitorConnectionState> {
        state.feed.stream()
    }

    public func forget(_ guest: GuestName) async {
        await state.forget(guest)
    }

    /// Closes the broker connection (which ends `run()`) and every observation stream.
    public func shutdown() async {
        await client.shutdown()
        await state.finish()
    }
}
