import Hummingbird

/// A request that matches no route: `404 {"error": "no such route: GET /x"}` instead of the
/// router's empty body. Only the router's own not-found is changed; the routes' 404s name their field.
struct NoSuchRouteMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil {
            throw APIError(.notFound, "no such route: \(request.method) \(request.uri.path)")
        }
    }
}
