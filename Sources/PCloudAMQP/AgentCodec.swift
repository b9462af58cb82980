import Foundation

/// Why an agent-protocol message was rejected; logged, never fatal to either side.
public struct MalformedAgentMessage: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Encodes and decodes agent-protocol messages (pure: no I/O). Decoding validates everything a
/// receiver relies on, so a malformed or hostile message becomes a reason, not a crash.
public enum AgentCodec {
    public static func encode(_ message: AgentMessage) -> AMQPMessage {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        switch message {
        case .heartbeat(let body): data = (try? encoder.encode(body)) ?? Data()
        case .status(let body): data = (try? encoder.encode(body)) ?? Data()
        case .request(let body): data = (try? encoder.encode(body)) ?? Data()
        case .reply(let body): data = (try? encoder.encode(body)) ?? Data()
        }
        return AMQPMessage(body: String(decoding: data, as: UTF8.self), subject: message.subject)
    }

    public static func decode(_ message: AMQPMessage) -> Result<AgentMessage, MalformedAgentMessage> {
        let body = Data(message.body.utf8)
        guard body.count <= AgentProtocol.maxBodyBytes else {
            return .failure(MalformedAgentMessage("body of \(body.count) bytes exceeds \(AgentProtocol.maxBodyBytes)"))
        }
        do {
            switch message.subject {
            case "heartbeat": return try validated(.heartbeat(decode(Heartbeat.self, body, version: \.v)))
            case "status": return try validated(.status(decode(StatusChange.self, body, version: \.v)))
            case "request": return try validated(.request(decode(AgentRequest.self, body, version: \.v)))
            case "reply": return try validated(.reply(decode(AgentReply.self, body, version: \.v)))
            case let subject:
                try checkVersion(body)
                return .failure(MalformedAgentMessage("unknown subject \(subject.map { "'\($0)'" } ?? "(none)")"))
            }
        } catch let error as MalformedAgentMessage {
            return .failure(error)
        } catch let error as DecodingError {
            return .failure(MalformedAgentMessage(reason(error)))
        } catch {
            return .failure(MalformedAgentMessage("\(error)"))
        }
    }

    private struct VersionProbe: Decodable { var v: Int }

    /// Decodes `T` in one pass (heartbeats arrive thousands per second) and then checks its
    /// version. Only when decoding fails is the version probed alone, so a message of another
    /// protocol version is reported as such rather than as a missing or mistyped field.
    private static func decode<T: Decodable>(_ type: T.Type, _ body: Data, version: KeyPath<T, Int>) throws -> T {
        let decoded: T
        do {
            decoded = try JSONDecoder().decode(type, from: body)
        } catch {
            try checkVersion(body)
            throw error
        }
        try checkVersion(decoded[keyPath: version])
        return decoded
    }

    private static func checkVersion(_ body: Data) throws {
        try checkVersion(JSONDecoder().decode(VersionProbe.self, from: body).v)
    }

    private static func checkVersion(_ version: Int) throws {
        guard version == AgentProtocol.version else {
            throw MalformedAgentMessage("unsupported protocol version \(version) (expected \(AgentProtocol.version))")
        }
    }

    private static func validated(_ message: AgentMessage) throws -> Result<AgentMessage, MalformedAgentMessage> {
        func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws {
            if !condition { throw MalformedAgentMessage(reason()) }
        }
        switch message {
        case .heartbeat(let beat):
            try require(!beat.deployable.isEmpty && !beat.assembly.isEmpty, "heartbeat without deployable or assembly")
            try require(!beat.bootID.isEmpty, "heartbeat without boot_id")
            try require(
                beat.uptime.isFinite && beat.uptime >= 0 && beat.uptime <= AgentProtocol.maxUptimeSeconds,
                "heartbeat uptime \(beat.uptime) is not a duration")
        case .status(let status):
            try require(!status.resource.isEmpty, "status without resource")
            try require((0...255).contains(status.code), "status code \(status.code) is not an exit code")
        case .request(let request):
            try require(!request.id.isEmpty, "request without id")
            try require(AgentRequest.actions.contains(request.action), "unknown action '\(request.action)'")
            try require((request.timeout ?? 1) > 0 && (request.timeout ?? 1) <= 86_400, "request timeout out of range")
            try require(
                (request.monitorInterval ?? 1) >= 0.1 && (request.monitorInterval ?? 1) <= 86_400, "monitor_interval out of range"
            )
            let resource = request.resource
            try require(
                ResourceSpec.classes.contains(resource.resourceClass), "unknown resource class '\(resource.resourceClass)'")
            try require(!resource.name.isEmpty, "resource without name")
            switch resource.resourceClass {
            case "exec": try require(resource.commands != nil, "exec resource '\(resource.name)' without commands")
            case "ocf":
                // No provider is the default provider (heartbeat, as over ssh: PCloudModel's
                // ResourceInvocation.defaultOCFProvider); one that is there must be a plain name.
                try require(
                    safeName(resource.type) && (resource.provider.map(safeName) ?? true), "ocf type or provider is not a plain name")
            default: try require(safeName(resource.type), "resource type '\(resource.type)' is not a plain name")
            }
        case .reply(let reply):
            try require(!reply.id.isEmpty, "reply without id")
            try require((0...255).contains(reply.code), "reply code \(reply.code) is not an exit code")
        }
        return .success(message)
    }

    /// Names that become paths or unit names: no slashes, no `..`, no shell metacharacters.
    static func safeName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".."
            && name.allSatisfy { $0.isLetter || $0.isNumber || "-_.@:".contains($0) }
    }

    private static func reason(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field '\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field '\(path(context))' has the wrong type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "body is not JSON" : "field '\(path(context))' is invalid"
        @unknown default:
            return "undecodable body"
        }
    }
}
