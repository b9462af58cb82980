import Hummingbird

/// TCP's guard: a request carries the API token (`Authorization: Bearer`, unchanged for API
/// clients) or a dashboard session cookie; a cookie request that changes anything must also carry
/// the session's CSRF token in `X-CSRF-Token`. The dashboard's pages and its login are open (they
/// hold no data). Every answer over TCP gets the dashboard's security headers.
struct SessionOrBearerMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    let sessions: DashboardSessions

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var response: Response
        do {
            response = try await authorized(request, context: context, next: next)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        }
        response.headers.append(contentsOf: DashboardHeaders.security)
        return response
    }

    private func authorized(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if DashboardRoutes.isOpen(request) { return try await next(request, context) }
        if request.headers[.authorization] != nil {
            return try await BearerTokenMiddleware(token: token).handle(request, context: context, next: next)
        }
        guard let id = request.cookies[DashboardSessions.cookieName]?.value, let session = await sessions.session(id) else {
            throw BearerTokenMiddleware<Context>.refusal()
        }
        if ![.get, .head].contains(request.method) {
            guard let sent = request.headers[DashboardHeaders.csrf],
                BearerTokenMiddleware<Context>.constantTimeEqual(Array(sent.utf8), Array(session.csrf.utf8))
            else {
                throw APIError(.forbidden, "this action needs the page's CSRF token (X-CSRF-Token)", field: "X-CSRF-Token")
            }
        }
        return try await next(request, context)
    }
}
