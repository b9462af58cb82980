import CQpidProton

/// Owns one `pn_message_t`; freed in `deinit`. Converts between `AMQPMessage` and wire bytes and
/// sends on a Proton link (only from the proactor thread, which owns the link).
final class ProtonMessage {
    private let handle: OpaquePointer

    init() {
        handle = pn_message()
    }

    deinit { pn_message_free(handle) }

    convenience init(_ message: AMQPMessage) throws {
        self.init()
        pn_message_set_inferred(handle, false)
        if let address = message.address { pn_message_set_address(handle, address) }
        if let subject = message.subject { pn_message_set_subject(handle, subject) }
        if let replyTo = message.replyTo { pn_message_set_reply_to(handle, replyTo) }
        if let ttl = message.ttlMilliseconds { pn_message_set_ttl(handle, ttl) }
        if let userID = message.userID {
            var bytes = Array(userID.utf8)
            let status = bytes.withUnsafeMutableBytes {
                pn_message_set_user_id(handle, pn_bytes($0.count, $0.baseAddress?.assumingMemoryBound(to: CChar.self)))
            }
            guard status == 0 else { throw AMQPError.proton("cannot set the user id", code: status) }
        }
        if let correlationID = message.correlationID {
            let data = pn_message_correlation_id(handle)!
            pn_data_clear(data)
            try ProtonData.put(string: correlationID, into: data)
        }
        let body = pn_message_body(handle)!
        pn_data_clear(body)
        try ProtonData.put(string: message.body, into: body)
    }

    convenience init(decoding bytes: [UInt8]) throws {
        self.init()
        let status = bytes.withUnsafeBytes {
            pn_message_decode(handle, $0.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        guard status == 0 else { throw AMQPError.proton("cannot decode an AMQP message", code: status) }
    }

    func value() throws -> AMQPMessage {
        guard let body = ProtonData.firstString(in: pn_message_body(handle)) else {
            throw AMQPError("the message body is not a string or binary")
        }
        let ttl = pn_message_get_ttl(handle)
        return AMQPMessage(
            body: body, address: Self.optional(pn_message_get_address(handle)),
            subject: Self.optional(pn_message_get_subject(handle)),
            replyTo: Self.optional(pn_message_get_reply_to(handle)),
            correlationID: ProtonData.firstString(in: pn_message_correlation_id(handle)),
            ttlMilliseconds: ttl == 0 ? nil : ttl, userID: Self.optional(pn_message_get_user_id(handle)))
    }

    func encode() throws -> [UInt8] {
        var capacity = 512
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            var size = capacity
            let status = buffer.withUnsafeMutableBytes {
                pn_message_encode(handle, $0.baseAddress!.assumingMemoryBound(to: CChar.self), &size)
            }
            if status == PN_OVERFLOW {
                capacity *= 4
                continue
            }
            guard status == 0 else { throw AMQPError.proton("cannot encode an AMQP message", code: status) }
            return Array(buffer.prefix(size))
        }
    }

    private static func optional(_ bytes: pn_bytes_t) -> String? {
        bytes.size == 0 ? nil : ProtonData.string(bytes)
    }

    private static func optional(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
