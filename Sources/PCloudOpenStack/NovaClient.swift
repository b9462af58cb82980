import Foundation
import Logging

/// Nova's compute API v2.1 at one microversion: the calls pcloud makes on servers.
public struct NovaClient: Sendable {
    public let session: OpenStackSession
    public var logger: Logger

    public init(auth: OpenStackAuth, http: OpenStackHTTP = OpenStackHTTP()) {
        session = OpenStackSession(
            auth: auth, http: http, service: "compute",
            headers: ["OpenStack-API-Version": "compute \(auth.cloud.computeMicroversion)"])
        logger = http.logger
    }

    private struct One: Decodable { var server: NovaServer }
    private struct Created: Decodable {
        struct Ref: Decodable { var id: String }
        var server: Ref
    }
    private struct Many: Decodable { var servers: [NovaServer] }

    /// POST /servers; returns the new server's id (it is BUILD until the compute host acts).
    public func create(_ request: NovaServerRequest) async throws -> String {
        var server: [String: Any] = [
            "name": request.name, "imageRef": request.imageRef, "flavorRef": request.flavorRef,
            "networks": request.networks.isEmpty ? "auto" as Any : request.networks.map { ["uuid": $0] } as Any,
        ]
        if let keyName = request.keyName { server["key_name"] = keyName }
        if let userData = request.userData { server["user_data"] = Data(userData.utf8).base64EncodedString() }
        if !request.metadata.isEmpty { server["metadata"] = request.metadata }
        let body = try JSONSerialization.data(withJSONObject: ["server": server])
        let id = try await session.send(.POST, "/servers", json: body, as: Created.self).server.id
        logger.info("created server \(request.name) \(id)")
        return id
    }

    /// GET /servers/{id}; nil once it is gone (404).
    public func server(_ id: String) async throws -> NovaServer? {
        do { return try await session.send(.GET, "/servers/\(id)", as: One.self).server } catch let error as OpenStackError
            where error.isNotFound
        {
            return nil
        }
    }

    /// All servers (GET /servers/detail, paged) whose metadata has every pair of `metadata`.
    /// Nova cannot filter on metadata, so the pages are filtered here.
    public func servers(metadata: [String: String]) async throws -> [NovaServer] {
        var found: [NovaServer] = []
        var marker: String?
        let limit = 200
        repeat {
            let query = "/servers/detail?limit=\(limit)" + (marker.map { "&marker=\($0)" } ?? "")
            let page = try await session.send(.GET, query, as: Many.self).servers
            found += page.filter { server in metadata.allSatisfy { server.metadata[$0.key] == $0.value } }
            marker = page.count == limit ? page.last?.id : nil
        } while marker != nil
        return found
    }

    public enum RebootType: String, Sendable {
        case soft = "SOFT"
        case hard = "HARD"
    }

    public func reboot(_ id: String, _ type: RebootType) async throws {
        try await action(id, ["reboot": ["type": type.rawValue]])
    }

    /// os-stop: Nova shuts the guest down (gracefully, then forced after its own timeout).
    public func stop(_ id: String) async throws { try await action(id, ["os-stop": NSNull()]) }

    public func start(_ id: String) async throws { try await action(id, ["os-start": NSNull()]) }

    /// Rebuilds on `imageRef` (the same image gives a fresh disk).
    public func rebuild(_ id: String, imageRef: String) async throws {
        try await action(id, ["rebuild": ["imageRef": imageRef]])
    }

    public func delete(_ id: String) async throws {
        do { _ = try await session.send(.DELETE, "/servers/\(id)") } catch let error as OpenStackError where error.isNotFound {}
        logger.info("deleted server \(id)")
    }

    private func action(_ id: String, _ body: [String: Any]) async throws {
        _ = try await session.send(.POST, "/servers/\(id)/action", json: try JSONSerialization.data(withJSONObject: body))
        logger.info("server \(id): \(body.keys.joined())")
    }
}
