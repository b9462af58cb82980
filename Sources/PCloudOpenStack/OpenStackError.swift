import Foundation

/// A non-2xx answer from an OpenStack API: the request (method and path, never headers, so no
/// token), the status and the API's own message (`conflictingRequest.message`,
/// `error.message`, `itemNotFound.message`, ...).
public struct OpenStackError: Error, Sendable, Hashable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var status: Int
    public var message: String
    public var requestID: String?

    public init(method: String, path: String, status: Int, message: String, requestID: String? = nil) {
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        self.requestID = requestID
    }

    /// 409: the resource is busy (an action during a task state) or in the wrong state.
    public var isConflict: Bool { status == 409 }
    public var isNotFound: Bool { status == 404 }

    public var description: String {
        "\(method) \(path): \(status): \(message)" + (requestID.map { " (request \($0))" } ?? "")
    }

    /// The message out of an OpenStack error body: Nova wraps it as `{"<kind>": {"message": ...}}`,
    /// Keystone as `{"error": {"message": ...}}`; anything else is shown as text.
    static func message(from body: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            if let message = object["message"] as? String { return message }
            for value in object.values {
                if let inner = value as? [String: Any], let message = inner["message"] as? String { return message }
            }
        }
        let text = String(decoding: body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(no message)" : text
    }
}

/// A state the adapter waited for that did not come (with what was seen last).
public struct OpenStackTimeout: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
