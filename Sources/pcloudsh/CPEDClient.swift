import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Talks to cped's API over its unix socket.
struct CPEDClient {
    let socketPath: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private func checkSocket() throws {
        guard FileManager.default.fileExists(atPath: socketPath) else {
            throw Failure(
                description:
                    "cannot reach cped at \(socketPath) (no such socket); is it running? (systemctl start pcloud-cped, or cped --socket PATH)"
            )
        }
    }

    /// Sends a request and returns the body; a non-2xx answer becomes its JSON error message.
    func request(_ method: HTTPMethod, _ path: String, body: Data? = nil, timeout: TimeAmount = .seconds(30)) async throws -> Data
    {
        try checkSocket()
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw Failure(description: "bad socket path \(socketPath)")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
        } catch {
            throw Failure(
                description:
                    "cannot reach cped at \(socketPath) (\(error)); is it running? (systemctl start pcloud-cped, or cped --socket PATH)"
            )
        }
        let data = Data(buffer: try await response.body.collect(upTo: 64 << 20))
        guard (200..<300).contains(response.status.code) else {
            let message =
                (try? JSONSerialization.jsonObject(with: data) as? [String: String])?["error"]
                ?? String(decoding: data, as: UTF8.self)
            throw Failure(description: message)
        }
        return data
    }

    /// A streaming GET: calls `line` for each line of the body until the server ends it.
    func stream(_ path: String, line: (Data) async throws -> Void) async throws {
        try checkSocket()
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw Failure(description: "bad socket path \(socketPath)")
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url.absoluteString), timeout: .hours(24 * 365))
        } catch {
            throw Failure(description: "cannot reach cped at \(socketPath) (\(error)); is it running?")
        }
        guard response.status.code == 200 else {
            let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
            let message =
                (try? JSONSerialization.jsonObject(with: data) as? [String: String])?["error"] ?? "HTTP \(response.status.code)"
            throw Failure(description: message)
        }
        var pending = Data()
        for try await chunk in response.body {
            pending.append(Data(buffer: chunk))
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                try await line(pending[pending.startIndex..<newline])
                pending = Data(pending[(newline + 1)...])
            }
        }
    }
}

extension TimeAmount {
    static func hours(_ hours: Int64) -> TimeAmount { .seconds(hours * 3600) }
}
