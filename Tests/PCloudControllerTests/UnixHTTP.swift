import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A real HTTP client for cped's unix socket or TCP port.
struct APIClient {
    let base: String
    var token: String?

    static func unix(_ path: String) -> APIClient {
        APIClient(base: URL(httpURLWithSocketPath: path, uri: "/")!.absoluteString.dropLast().description)
    }

    func call(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> (status: UInt, json: Any?, text: String)
    {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = Data(buffer: try await response.body.collect(upTo: 16 << 20))
        return (response.status.code, try? JSONSerialization.jsonObject(with: data), String(decoding: data, as: UTF8.self))
    }
}

extension APIClient {
    /// A request with extra headers (cookies, CSRF), answering the response's headers as well.
    func exchange(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> (
        status: UInt, headers: HTTPHeaders, text: String
    ) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = Data(buffer: try await response.body.collect(upTo: 16 << 20))
        return (response.status.code, response.headers, String(decoding: data, as: UTF8.self))
    }
}
