import Foundation
import PCloudAMQP
import PCloudModel

/// The agent's three duties, each a task: heartbeats, serving requests, recurring local monitors.
struct Agent: Sendable {
    let config: AgentConfig
    let client: AMQPClient

    init(config: AgentConfig) {
        self.config = config
        client = AMQPClient(
            endpoint: config.endpoint, backoff: ReconnectBackoff(initial: .milliseconds(200), maximum: .seconds(5))
        ) {
            AgentLog.write($0)
        }
    }

    func run() async {
        AgentLog.write("\(config.deployable)/\(config.assembly): broker \(config.broker.host):\(config.broker.port ?? 5672)")
        let monitors = LocalMonitors(configured: config.resources) { resource in await monitor(resource) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await logConnectionStates() }
            group.addTask { await heartbeats() }
            group.addTask { await serveRequests(monitors) }
        }
    }

    private func logConnectionStates() async {
        // Losses are logged by the client with their reason; log when the connection is up.
        for await state in client.connectionStates() where state == .connected {
            AgentLog.write("broker: connected")
        }
    }

    private func heartbeats() async {
        let bootID = ((try? String(contentsOfFile: config.bootIDPath, encoding: .utf8)) ?? "unknown")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let address = AgentAddresses.heartbeat(deployable: config.deployable, assembly: config.assembly)
        let interval = Duration.milliseconds(Int64(config.heartbeatSeconds * 1000))
        var seq: UInt64 = 0
        var failing = false
        while !Task.isCancelled {
            seq += 1
            let beat = Heartbeat(
                seq: seq, bootID: bootID, uptime: uptime(), assembly: config.assembly, deployable: config.deployable)
            do {
                try await client.send(signed(.heartbeat(beat)), to: address)
                failing = false
            } catch {
                if !failing { AgentLog.write("heartbeat \(seq) not sent: \(error)") }
                failing = true
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Every message carries the agent's broker user as its user-id (the broker verifies it), so
    /// the controller knows which deployable really sent it.
    private func signed(_ message: AgentMessage) -> AMQPMessage {
        var encoded = AgentCodec.encode(message)
        encoded.userID = config.broker.user
        return encoded
    }

    private func uptime() -> Double {
        let text = (try? String(contentsOfFile: config.uptimePath, encoding: .utf8)) ?? ""
        let seconds = Double(text.split(separator: " ").first ?? "") ?? 0
        return seconds.isFinite && seconds >= 0 && seconds <= AgentProtocol.maxUptimeSeconds ? seconds : 0
    }

    private func serveRequests(_ monitors: LocalMonitors) async {
        let address = AgentAddresses.requests(deployable: config.deployable, assembly: config.assembly)
        await withTaskGroup(of: Void.self) { group in
            for await message in client.receive(from: address, credit: 16) {
                group.addTask { await serve(message, monitors) }
            }
        }
    }

    private func serve(_ message: AMQPMessage, _ monitors: LocalMonitors) async {
        let replyTo = message.replyTo ?? AgentAddresses.replies(deployable: config.deployable, assembly: config.assembly)
        let request: AgentRequest
        switch AgentCodec.decode(message) {
        case .success(.request(let decoded)):
            request = decoded
        case .success(let other):
            AgentLog.write("rejected message: a \(other.subject) is not a request")
            return
        case .failure(let malformed):
            AgentLog.write("rejected message: \(malformed.reason)")
            if let id = message.correlationID {
                await reply(
                    AgentReply(
                        id: id, code: OCFExitCode.invalidParameter.rawValue, output: "malformed request: \(malformed.reason)"),
                    correlationID: id, to: replyTo)
            }
            return
        }
        let action = ResourceAction(rawValue: request.action) ?? .monitor
        let timeout = Duration.milliseconds(Int64((request.timeout ?? 20) * 1000))
        let (code, output) = await perform(
            action, on: request.resource, monitorInterval: request.monitorInterval, timeout: timeout)
        AgentLog.write("\(request.action) \(request.resource.name): \(code.reason)")
        if let change = await monitors.update(after: action, of: request, code: code) { AgentLog.write(change) }
        await reply(
            AgentReply(id: request.id, code: code.rawValue, output: output),
            correlationID: message.correlationID ?? request.id, to: replyTo)
    }

    private func reply(_ reply: AgentReply, correlationID: String, to address: String) async {
        var message = signed(.reply(reply))
        message.correlationID = correlationID
        do {
            try await client.send(message, to: address)
        } catch {
            AgentLog.write("reply \(correlationID) not sent to \(address): \(error)")
        }
    }

    /// `monitorInterval` (seconds) is the resource's recurring monitor interval, which OCF agents
    /// are told (OCF_RESKEY_CRM_meta_interval) as over ssh.
    private func perform(
        _ action: ResourceAction, on spec: ResourceSpec, monitorInterval: Double?, timeout: Duration
    ) async -> (OCFExitCode, String) {
        do {
            let command = try ResourceCommand.build(spec, action: action, monitorInterval: monitorInterval)
            return await CommandRunner.run(command, timeout: timeout)
        } catch {
            return (.unimplemented, error.description)
        }
    }

    /// Runs the resource's monitor every interval and pushes the result when it changes (and the
    /// first result), so the controller hears of a failure without polling.
    private func monitor(_ resource: AgentConfig.MonitoredResource) async {
        var last: OCFExitCode?
        let address = AgentAddresses.status(deployable: config.deployable, assembly: config.assembly)
        while !Task.isCancelled {
            let (code, output) = await perform(
                .monitor, on: resource.spec, monitorInterval: resource.interval,
                timeout: .milliseconds(Int64(resource.timeout * 1000)))
            if Task.isCancelled { return }  // no longer watched: what it saw is not news
            if code != last {
                let change = StatusChange(
                    deployable: config.deployable, assembly: config.assembly, resource: resource.spec.name,
                    code: code.rawValue, output: output)
                do {
                    try await client.send(signed(.status(change)), to: address)
                    AgentLog.write("\(resource.spec.name): \(code.reason) (pushed)")
                    last = code
                } catch {
                    AgentLog.write("\(resource.spec.name): status not sent: \(error)")
                }
            }
            try? await Task.sleep(for: .milliseconds(Int64(resource.interval * 1000)))
        }
    }
}
