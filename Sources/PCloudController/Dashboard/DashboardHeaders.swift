import HTTPTypes
import Hummingbird

/// Headers of every answer on TCP: the pages run only their own script and style, load nothing
/// from elsewhere, cannot be framed, and nothing is cached or sent as a referrer.
enum DashboardHeaders {
    static let csrf = HTTPField.Name("X-CSRF-Token")!

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static let security: HTTPFields = [
        HTTPField.Name("Content-Security-Policy")!: contentSecurityPolicy,
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-store",
    ]
}
