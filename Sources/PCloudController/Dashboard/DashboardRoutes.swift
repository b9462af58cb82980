import Foundation
import HTTPTypes
import Hummingbird

/// `/dashboard`: the pages (open: they hold no data), `POST /dashboard/login` with the API token
/// (sets the session cookie, answers the CSRF token), `GET /dashboard/session` (the CSRF token
/// again, for a reloaded page) and `POST /dashboard/logout`. Only on the TCP listener. Both answers
/// carry the newest event's sequence number, so the page follows the stream from recent history
/// instead of replaying all of it.
struct DashboardRoutes {
    let token: String
    let sessions: DashboardSessions
    let files: DashboardFiles
    let controller: Controller

    struct Login: Decodable { var token: String }
    struct Granted: Encodable {
        var csrf: String
        var lastSeq: Int64
    }

    /// What needs neither token nor session: the static pages and the login itself.
    static func isOpen(_ request: Request) -> Bool {
        let path = request.uri.path
        switch request.method {
        case .get, .head: return path == "/dashboard" || path == "/dashboard/" || path.hasPrefix("/dashboard/files/")
        case .post: return path == "/dashboard/login"
        default: return false
        }
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("dashboard") { _, _ in try files.response("index.html") }
        router.get("dashboard/files/:name") { _, context in try files.response(try context.parameters.require("name")) }
        router.post("dashboard/login") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 4096)
            guard let login = try? JSONDecoder().decode(Login.self, from: Data(body.readableBytesView)) else {
                throw APIError(.badRequest, "the login needs a JSON body {\"token\": \"...\"}", field: "token")
            }
            guard BearerTokenMiddleware<Context>.constantTimeEqual(Array(login.token.utf8), Array(token.utf8)) else {
                throw APIError(.unauthorized, "that is not the API token", field: "token")
            }
            let (id, csrf) = await sessions.create()
            var response = try JSONBody.response(Granted(csrf: csrf, lastSeq: try await controller.store.lastEventSeqAsync()))
            response.setCookie(Self.cookie(id, maxAge: Int(DashboardSessions.lifetime), request: request))
            return response
        }
        router.get("dashboard/session") { request, _ in
            guard let id = request.cookies[DashboardSessions.cookieName]?.value, let session = await sessions.session(id)
            else { throw APIError(.unauthorized, "not logged in to the dashboard", field: "cookie") }
            return try JSONBody.response(Granted(csrf: session.csrf, lastSeq: try await controller.store.lastEventSeqAsync()))
        }
        router.post("dashboard/logout") { request, _ in
            if let id = request.cookies[DashboardSessions.cookieName]?.value { await sessions.remove(id) }
            var response = Response(status: .noContent)
            response.setCookie(Self.cookie("", maxAge: 0, request: request))
            return response
        }
    }

    /// HttpOnly, SameSite=Strict, path `/` (the pages call `/v1`); Secure when the browser reached
    /// cped over TLS, which cped does not serve itself: through a proxy that says so.
    static func cookie(_ value: String, maxAge: Int, request: Request) -> Cookie {
        let overTLS = request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
        return Cookie(
            name: DashboardSessions.cookieName, value: value, maxAge: maxAge, path: "/", secure: overTLS, httpOnly: true,
            sameSite: .strict)
    }
}
