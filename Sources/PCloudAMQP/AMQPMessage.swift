/// One AMQP message as pcloud uses it: a string body (small JSON documents) plus the properties
/// request/reply needs. A plain value: Proton's `pn_message_t` never leaves `ProtonMessage`.
public struct AMQPMessage: Sendable, Hashable {
    public var address: String?
    public var subject: String?
    public var replyTo: String?
    public var correlationID: String?
    /// The sender's broker user. RabbitMQ refuses a message whose user-id is not the user that
    /// sent it, so a receiver can trust it (pcloud's agents always set it).
    public var userID: String?
    /// Time to live; the broker drops the message after it (stale requests are never served).
    public var ttlMilliseconds: UInt32?
    public var body: String

    public init(
        body: String, address: String? = nil, subject: String? = nil, replyTo: String? = nil,
        correlationID: String? = nil, ttlMilliseconds: UInt32? = nil, userID: String? = nil
    ) {
        self.userID = userID
        self.body = body
        self.address = address
        self.subject = subject
        self.replyTo = replyTo
        self.correlationID = correlationID
        self.ttlMilliseconds = ttlMilliseconds
    }

    /// Encodes to the AMQP 1.0 wire format (header, properties, amqp-value section).
    public func encoded() throws -> [UInt8] {
        try ProtonMessage(self).encode()
    }

    /// Decodes AMQP 1.0 wire bytes; a body that is neither a string nor binary is an error.
    public init(decoding bytes: [UInt8]) throws {
        self = try ProtonMessage(decoding: bytes).value()
    }
}
