import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One HTTP exchange with an OpenStack API: sends, retries 429 and 503 after `Retry-After`
/// (capped), and turns every non-2xx answer into an `OpenStackError`. Logs method, path and
/// status only: never headers or bodies, which carry tokens and passwords.
public struct OpenStackHTTP: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: Data
    }

    public let client: HTTPClient
    public var logger: Logger
    /// How often a 429/503 is retried, and the longest wait honoured from `Retry-After`.
    public var maxRetries: Int
    public var maxRetryDelay: Duration
    public var timeout: TimeAmount

    public init(
        client: HTTPClient = .shared, logger: Logger = Logger(label: "pcloud.openstack"), maxRetries: Int = 3,
        maxRetryDelay: Duration = .seconds(10), timeout: TimeAmount = .seconds(60)
    ) {
        self.client = client
        self.logger = logger
        self.maxRetries = maxRetries
        self.maxRetryDelay = maxRetryDelay
        self.timeout = timeout
    }

    /// Sends and returns a 2xx answer; any other status throws `OpenStackError`.
    public func send(_ method: HTTPMethod, _ url: String, headers: HTTPHeaders = [:], json: Data? = nil) async throws -> Response
    {
        let response = try await sendAllowingErrors(method, url, headers: headers, json: json)
        guard (200..<300).contains(response.status) else {
            throw OpenStackError(
                method: method.rawValue, path: Self.path(of: url), status: response.status,
                message: OpenStackError.message(from: response.body),
                requestID: response.headers.first(name: "x-openstack-request-id"))
        }
        return response
    }

    /// Sends, retrying 429/503; returns whatever status came last.
    public func sendAllowingErrors(
        _ method: HTTPMethod, _ url: String, headers: HTTPHeaders = [:], json: Data? = nil
    )
        async throws -> Response
    {
        var attempt = 0
        while true {
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers = headers
            request.headers.replaceOrAdd(name: "Accept", value: "application/json")
            if let json {
                request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(data: json))
            }
            let answer = try await client.execute(request, timeout: timeout)
            let body = try await answer.body.collect(upTo: 16 << 20)
            let response = Response(status: Int(answer.status.code), headers: answer.headers, body: Data(buffer: body))
            logger.debug("\(method.rawValue) \(Self.path(of: url)) -> \(response.status)")
            guard response.status == 429 || response.status == 503, attempt < maxRetries else { return response }
            attempt += 1
            let delay = retryDelay(response.headers.first(name: "Retry-After"), attempt: attempt)
            logger.notice("\(method.rawValue) \(Self.path(of: url)) -> \(response.status); retry \(attempt) in \(delay)")
            try await Task.sleep(for: delay)
        }
    }

    /// `Retry-After` in seconds or as an HTTP date, else exponential from 0.5 s; never over the cap.
    func retryDelay(_ header: String?, attempt: Int) -> Duration {
        var delay = Duration.milliseconds(500 * (1 << min(attempt - 1, 6)))
        if let header {
            if let seconds = Double(header.trimmingCharacters(in: .whitespaces)) {
                delay = .milliseconds(Int(max(0, seconds) * 1000))
            } else if let date = Self.httpDate().date(from: header) {
                delay = .milliseconds(Int(max(0, date.timeIntervalSinceNow) * 1000))
            }
        }
        return min(delay, maxRetryDelay)
    }

    private static func httpDate() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter
    }

    /// The path (and query) of a URL, for errors and logs.
    static func path(of url: String) -> String {
        guard let components = URLComponents(string: url) else { return url }
        return components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }
}
