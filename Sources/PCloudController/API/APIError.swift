import Foundation
import Hummingbird

/// A refused request: HTTP status plus a JSON body naming the field at fault,
/// `{"error": "...", "field": "after"}`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    public var field: String?
    /// Sent with the body (`WWW-Authenticate` on a 401).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: String] = ["error": message]
        if let field { body["field"] = field }
        var response = try JSONBody.response(status, body)
        response.headers.append(contentsOf: headers)
        return response
    }
}

/// JSON responses with stable key order.
enum JSONBody {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func response<T: Encodable>(_ value: T) throws -> Response {
        try response(.ok, value)
    }

    static func response<T: Encodable>(_ status: HTTPResponse.Status, _ value: T) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
