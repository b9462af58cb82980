import CQpidProton

/// A failure of the AMQP layer, carrying Proton's or the broker's own message.
public struct AMQPError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }

    static func proton(_ what: String, code: Int32) -> AMQPError {
        AMQPError("\(what): \(String(cString: pn_code(code)))")
    }
}

extension ProactorLoop {
    /// A Proton condition (the broker's or the transport's) as `name: description`, or nil when unset.
    static func describe(_ condition: OpaquePointer?) -> String? {
        guard let condition, pn_condition_is_set(condition) else { return nil }
        let name = pn_condition_get_name(condition).map { String(cString: $0) } ?? "error"
        let text = pn_condition_get_description(condition).map { String(cString: $0) } ?? ""
        return text.isEmpty ? name : "\(name): \(text)"
    }
}
