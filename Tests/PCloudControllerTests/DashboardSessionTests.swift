import AsyncHTTPClient
import Foundation
import PCloudTestSupport
import Testing

/// The dashboard's login over a real cped's TCP listener: the API token once, then an HttpOnly,
/// SameSite=Strict session cookie; changes need the session's CSRF token; logout ends it; bearer
/// clients are unchanged and the unix socket serves no dashboard.
struct DashboardSessionTests {
    final class World {
        let token = UUID().uuidString + UUID().uuidString
        let tokenFile: URL
        let port = freeLoopbackPort()
        let cped: ControllerProcess
        var tcp: APIClient { APIClient(base: "http://127.0.0.1:\(port)") }

        init() throws {
            tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
            try token.write(to: tokenFile, atomically: true, encoding: .utf8)
            cped = try ControllerProcess(extraArguments: ["--tcp", "127.0.0.1:\(port)", "--token-file", tokenFile.path])
            guard waitUntil(timeout: 30, { portIsOpen("127.0.0.1", UInt16(port)) }) else {
                throw ControllerError("cped's TCP port did not open: \(cped.log.suffix(2000))")
            }
        }

        deinit {
            cped.stop()
            try? FileManager.default.removeItem(at: tokenFile)
        }

        /// Logs in; answers the `name=value` cookie pair, the CSRF token and the Set-Cookie header.
        func login() async throws -> (cookie: String, csrf: String, setCookie: String) {
            let answer = try await tcp.exchange(
                .POST, "/dashboard/login", headers: [("Content-Type", "application/json")], body: #"{"token":"\#(token)"}"#)
            #expect(answer.status == 200, "\(answer.text)")
            let setCookie = answer.headers["Set-Cookie"].first ?? ""
            let cookie = String(setCookie.split(separator: ";").first ?? "")
            let json = try JSONSerialization.jsonObject(with: Data(answer.text.utf8)) as? [String: Any]
            return (cookie, json?["csrf"] as? String ?? "", setCookie)
        }
    }

    @Test func aWrongTokenIsRefusedAndTheRightOneGivesAStrictHttpOnlyCookie() async throws {
        let world = try World()
        let wrong = try await world.tcp.exchange(
            .POST, "/dashboard/login", headers: [("Content-Type", "application/json")],
            body: #"{"token":"\#(String(world.token.reversed()))"}"#)
        #expect(wrong.status == 401)
        #expect(wrong.headers["Set-Cookie"].isEmpty)
        #expect(wrong.text.contains(#""field":"token""#), "\(wrong.text)")
        let (cookie, csrf, setCookie) = try await world.login()
        #expect(cookie.hasPrefix("pcloud_session=") && cookie.count > 40, "\(setCookie)")
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/"))
        #expect(!setCookie.contains("Secure"), "plain HTTP: a Secure cookie would never come back")
        #expect(csrf.count == 64)
        #expect(!setCookie.contains(world.token) && !csrf.contains(world.token))
        // Behind a TLS proxy that says so, the cookie is Secure.
        let overTLS = try await world.tcp.exchange(
            .POST, "/dashboard/login", headers: [("Content-Type", "application/json"), ("X-Forwarded-Proto", "https")],
            body: #"{"token":"\#(world.token)"}"#)
        #expect(overTLS.headers["Set-Cookie"].first?.contains("Secure") == true)
        // The session reads the API and hands the page its CSRF token again.
        let list = try await world.tcp.exchange(.GET, "/v1/deployables", headers: [("Cookie", cookie)])
        #expect(list.status == 200, "\(list.text)")
        let again = try await world.tcp.exchange(.GET, "/dashboard/session", headers: [("Cookie", cookie)])
        #expect(again.text.contains(csrf))
        #expect(!world.cped.log.contains(world.token), "the token must never be logged")
        let sessionID = String(cookie.dropFirst("pcloud_session=".count))
        #expect(!world.cped.log.contains(sessionID) && !world.cped.log.contains(csrf), "nor the session's secrets")
    }

    @Test func aChangeWithTheCookieButWithoutTheCSRFTokenIsRefused() async throws {
        let world = try World()
        let (cookie, csrf, _) = try await world.login()
        let yaml = """
            name: web
            infrastructure: {type: static}
            monitor: {method: ssh}
            assemblies:
              - name: box
                address: 127.0.0.1
                resources:
                  - {name: app, class: exec, exec: {monitor: "true", start: "true", stop: "true"}}

            """
        let forged = try await world.tcp.exchange(.POST, "/v1/deployables", headers: [("Cookie", cookie)], body: yaml)
        #expect(forged.status == 403, "\(forged.text)")
        #expect(forged.text.contains(#""field":"X-CSRF-Token""#))
        let wrong = try await world.tcp.exchange(
            .POST, "/v1/deployables", headers: [("Cookie", cookie), ("X-CSRF-Token", String(csrf.reversed()))], body: yaml)
        #expect(wrong.status == 403)
        #expect(try await APIClient.unix(world.cped.socketPath).call(.GET, "/v1/deployables").text == "[]")
        let right = try await world.tcp.exchange(
            .POST, "/v1/deployables", headers: [("Cookie", cookie), ("X-CSRF-Token", csrf)], body: yaml)
        #expect(right.status == 201, "\(right.text)")
        // The page learns the newest event's number, to follow the stream from recent history.
        let session = try await world.tcp.exchange(.GET, "/dashboard/session", headers: [("Cookie", cookie)])
        let newest = try JSONSerialization.jsonObject(with: Data(session.text.utf8)) as? [String: Any]
        let events = try await APIClient.unix(world.cped.socketPath).call(.GET, "/v1/events")
        let last = (events.json as? [[String: Any]])?.last?["seq"] as? Int
        #expect(last != nil && newest?["lastSeq"] as? Int == last, "\(session.text) \(events.text)")
    }

    @Test func logoutEndsTheSessionAndBearerClientsAreUnchanged() async throws {
        let world = try World()
        let (cookie, csrf, _) = try await world.login()
        let noCSRF = try await world.tcp.exchange(.POST, "/dashboard/logout", headers: [("Cookie", cookie)])
        #expect(noCSRF.status == 403)
        let out = try await world.tcp.exchange(.POST, "/dashboard/logout", headers: [("Cookie", cookie), ("X-CSRF-Token", csrf)])
        #expect(out.status == 204)
        #expect(out.headers["Set-Cookie"].first?.contains("Max-Age=0") == true)
        let after = try await world.tcp.exchange(.GET, "/v1/deployables", headers: [("Cookie", cookie)])
        #expect(after.status == 401)
        #expect(try await world.tcp.exchange(.GET, "/v1/deployables").status == 401)
        var bearer = world.tcp
        bearer.token = world.token
        #expect(try await bearer.exchange(.GET, "/v1/deployables").status == 200)
        // Bearer clients need no CSRF token: nothing changes for pcloudsh or scripts.
        #expect(try await bearer.exchange(.POST, "/v1/deployables/none/start").status == 404)
    }

    @Test func thePagesAreServedOnTCPOnlyWithAPolicyThatAllowsNoInlineOrForeignCode() async throws {
        let world = try World()
        let page = try await world.tcp.exchange(.GET, "/dashboard")
        #expect(page.status == 200)
        #expect(page.headers["Content-Type"].first?.hasPrefix("text/html") == true)
        let policy = page.headers["Content-Security-Policy"].first ?? ""
        #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'"), "\(policy)")
        #expect(!policy.contains("unsafe-inline"))
        #expect(page.headers["X-Content-Type-Options"].first == "nosniff")
        #expect(!page.text.contains("<script>") && !page.text.contains("style="), "no inline script or style")
        #expect(!page.text.contains("http://") && !page.text.contains("https://"), "no resource from elsewhere")
        let script = try await world.tcp.exchange(.GET, "/dashboard/files/dashboard.js")
        #expect(script.status == 200 && script.headers["Content-Type"].first?.hasPrefix("text/javascript") == true)
        #expect(!script.text.contains("innerHTML"), "text from guests only goes in as text")
        #expect(try await world.tcp.exchange(.GET, "/dashboard/files/nothing.js").status == 404)
        #expect(try await world.tcp.exchange(.GET, "/dashboard/files/..%2FPackage.swift").status == 404)
        let unix = try await APIClient.unix(world.cped.socketPath).call(.GET, "/dashboard")
        #expect(unix.status == 404, "a browser cannot use the unix socket: no dashboard there")
    }
}
