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
