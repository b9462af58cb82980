import CQpidProton

/// Owns one standalone `pn_data_t` (an AMQP-typed value tree); freed in `deinit`.
/// Used to encode and decode single AMQP values, e.g. a message body on its own.
public final class ProtonData {
    private let handle: OpaquePointer

    public init(capacity: Int = 16) {
        handle = pn_data(capacity)
    }

    deinit { pn_data_free(handle) }

    /// Replaces the content with one AMQP string.
    public func put(string: String) throws {
        pn_data_clear(handle)
        try Self.put(string: string, into: handle)
    }

    /// The first value when it is a string or binary (decoded as UTF-8), else nil.
    public func firstString() -> String? {
        Self.firstString(in: handle)
    }

    /// The AMQP encoding of the content.
    public func encode() throws -> [UInt8] {
        var capacity = 256
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            let written = buffer.withUnsafeMutableBytes {
                pn_data_encode(handle, $0.baseAddress!.assumingMemoryBound(to: CChar.self), capacity)
            }
            if written == Int(PN_OVERFLOW) {
                capacity *= 4
                continue
            }
            guard written >= 0 else { throw AMQPError.proton("cannot encode AMQP data", code: Int32(written)) }
            return Array(buffer.prefix(written))
        }
    }

    /// Replaces the content with the value decoded from `bytes`.
    public func decode(_ bytes: [UInt8]) throws {
        pn_data_clear(handle)
        let read = bytes.withUnsafeBytes {
            pn_data_decode(handle, $0.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        guard read >= 0 else { throw AMQPError.proton("cannot decode AMQP data", code: Int32(read)) }
    }

    static func put(string: String, into data: OpaquePointer) throws {
        var utf8 = Array(string.utf8)
        let status = utf8.withUnsafeMutableBytes {
            pn_data_put_string(data, pn_bytes($0.count, $0.baseAddress?.assumingMemoryBound(to: CChar.self)))
        }
        guard status == 0 else { throw AMQPError.proton("cannot put a string", code: status) }
    }

    static func firstString(in data: OpaquePointer) -> String? {
        pn_data_rewind(data)
        guard pn_data_next(data) else { return nil }
        let bytes: pn_bytes_t
        switch pn_data_type(data) {
        case PN_STRING: bytes = pn_data_get_string(data)
        case PN_BINARY: bytes = pn_data_get_binary(data)
        case PN_SYMBOL: bytes = pn_data_get_symbol(data)
        default: return nil
        }
        return string(bytes)
    }

    static func string(_ bytes: pn_bytes_t) -> String {
        guard let start = bytes.start, bytes.size > 0 else { return "" }
        let buffer = UnsafeRawBufferPointer(start: start, count: bytes.size)
        return String(decoding: buffer, as: UTF8.self)
    }
}
