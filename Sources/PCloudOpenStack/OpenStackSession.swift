import Foundation
import NIOHTTP1

/// Authenticated JSON requests to one service of one cloud: resolves the endpoint, adds the
/// auth headers, and on a 401 gets a new token and tries once more.
public struct OpenStackSession: Sendable {
    public let auth: OpenStackAuth
    public let http: OpenStackHTTP
    public let service: String
    /// Extra headers on every request (the compute microversion).
    public var headers: HTTPHeaders

    public init(auth: OpenStackAuth, http: OpenStackHTTP, service: String, headers: HTTPHeaders = [:]) {
        self.auth = auth
        self.http = http
        self.service = service
        self.headers = headers
    }

    /// `path` is relative to the service endpoint (`/servers/detail?limit=100`).
    public func send(_ method: HTTPMethod, _ path: String, json: Data? = nil) async throws -> OpenStackHTTP.Response {
        var reauthenticated = false
        while true {
            let (endpoint, authHeaders) = try await auth.authorize(service: service)
            var all = headers
            all.add(contentsOf: authHeaders)
            let response = try await http.sendAllowingErrors(method, endpoint + path, headers: all, json: json)
            if response.status == 401, !reauthenticated, auth.canReauthenticate {
                reauthenticated = true
                await auth.invalidate(headers: authHeaders)
                continue
            }
            guard (200..<300).contains(response.status) else {
                throw OpenStackError(
                    method: method.rawValue, path: OpenStackHTTP.path(of: endpoint + path), status: response.status,
                    message: OpenStackError.message(from: response.body),
                    requestID: response.headers.first(name: "x-openstack-request-id"))
            }
            return response
        }
    }

    /// Sends and decodes the JSON answer.
    public func send<T: Decodable>(_ method: HTTPMethod, _ path: String, json: Data? = nil, as type: T.Type) async throws -> T {
        let response = try await send(method, path, json: json)
        do { return try JSONDecoder().decode(T.self, from: response.body) } catch {
            throw OpenStackError(
                method: method.rawValue, path: path, status: response.status,
                message: "unexpected answer: \(error) in \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
    }
}
