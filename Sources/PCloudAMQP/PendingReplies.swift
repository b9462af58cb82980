/// Request/reply over AMQP: each request carries a fresh correlation id and a reply-to address;
/// the reply with that correlation id completes it, or the timeout does.
public actor PendingReplies {
    private var waiting: [String: CheckedContinuation<AMQPMessage, any Error>] = [:]
    private var counter: UInt64 = 0
    private let prefix: String

    public init(prefix: String) {
        self.prefix = prefix
    }

    /// Sends `message` to `address` with `replyTo` and a new correlation id and waits for the reply.
    public func request(
        _ message: AMQPMessage, to address: String, replyTo: String, timeout: Duration, over client: AMQPClient
    ) async throws -> AMQPMessage {
        counter += 1
        let id = "\(prefix)-\(counter)-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
        var message = message
        message.correlationID = id
        message.replyTo = replyTo
        if message.ttlMilliseconds == nil { message.ttlMilliseconds = UInt32(clamping: timeout.milliseconds) }
        let outgoing = message
        return try await withCheckedThrowingContinuation { continuation in
            waiting[id] = continuation
            Task {
                do {
                    try await client.send(outgoing, to: address)
                } catch {
                    self.fail(id, error)
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                self.fail(id, AMQPError("no reply to \(id) from \(address) within \(timeout)"))
            }
        }
    }

    /// Correlation ids are `PREFIX-N-RANDOM` (not guessable); a reply with a known id completes its request.
    /// Returns false for replies nobody waits for (late, duplicated or forged).
    @discardableResult
    public func complete(_ reply: AMQPMessage) -> Bool {
        guard let id = reply.correlationID, let continuation = waiting.removeValue(forKey: id) else { return false }
        continuation.resume(returning: reply)
        return true
    }

    /// Fails the request with id `correlationID` if it still waits.
    public func fail(_ correlationID: String, _ error: any Error) {
        waiting.removeValue(forKey: correlationID)?.resume(throwing: error)
    }
}
