import Foundation
import Hummingbird
import PCloudStore

/// `/v1/events`: history after a sequence number, and `/v1/events/stream`, the same followed by live
/// events as newline-delimited JSON for as long as the client stays connected.
struct EventRoutes {
    let controller: Controller

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("v1/events") { request, _ in
            let query = try EventQuery(request)
            let events = try await controller.store.eventsAsync(
                after: query.after, deployable: query.deployable, limit: query.limit)
            return try JSONBody.response(events)
        }
        router.get("v1/events/stream") { request, _ in
            let query = try EventQuery(request)
            if let deployable = query.deployable, try await controller.store.deployableAsync(named: deployable) == nil {
                throw APIError(.notFound, "deployable '\(deployable)' does not exist", field: "deployable")
            }
            let events = try await controller.bus.subscribe(after: query.after, deployable: query.deployable)
            let lines = events.map { event in
                var buffer = ByteBuffer(bytes: (try? JSONBody.encoder.encode(event)) ?? Data())
                buffer.writeString("\n")
                return buffer
            }
            return Response(
                status: .ok, headers: [.contentType: "application/x-ndjson"], body: ResponseBody(asyncSequence: lines))
        }
    }
}

/// `?after=SEQ&deployable=NAME&limit=N`, each checked and named when wrong.
struct EventQuery {
    var after: Int64 = 0
    var deployable: String?
    var limit = 1000

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query["after"] {
            guard let value = Int64(text), value >= 0 else {
                throw APIError(.badRequest, "after must be a sequence number >= 0, got '\(text)'", field: "after")
            }
            after = value
        }
        if let text = query["limit"] {
            guard let value = Int(text), (1...10_000).contains(value) else {
                throw APIError(.badRequest, "limit must be a number from 1 to 10000, got '\(text)'", field: "limit")
            }
            limit = value
        }
        deployable = query["deployable"].map(String.init)
    }
}
