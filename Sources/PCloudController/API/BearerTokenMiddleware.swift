import Hummingbird

/// Every request over TCP must carry `Authorization: Bearer TOKEN`; the unix socket relies on its
/// 0600 mode instead. The token is compared in constant time and never logged.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            Self.constantTimeEqual(Array(header.dropFirst(7).utf8), Array(token.utf8))
        else { throw Self.refusal() }
        return try await next(request, context)
    }

    /// What a request without a valid token (or dashboard session) is told.
    static func refusal() -> APIError {
        APIError(
            .unauthorized, "a bearer token is required (Authorization: Bearer TOKEN)", field: "Authorization",
            headers: [.wwwAuthenticate: #"Bearer realm="pcloud""#])
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
