/// Why an ssh operation failed. Every case carries enough to tell an operator what to fix.
public enum SSHError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The TCP connection could not be made (refused, unreachable, name not resolved).
    case connectFailed(host: String, port: Int, reason: String)
    /// The ssh handshake (banner, key exchange) failed.
    case handshakeFailed(String)
    /// The guest presented a different host key than the pinned one: refused.
    case hostKeyMismatch(expected: String, presented: String)
    /// The server refused the public key (or the key file could not be used).
    case authenticationFailed(user: String, keyFile: String, reason: String)
    /// The operation did not finish within its timeout.
    case timeout(String)
    /// The connection was lost while the operation ran.
    case disconnected(String)
    /// Any other libssh2 error, with its code and message.
    case library(code: Int32, message: String)
    /// The session was closed by its owner.
    case closed
    /// The calling task was cancelled before the command finished.
    case cancelled

    public var description: String {
        switch self {
        case .connectFailed(let host, let port, let reason): return "cannot connect to \(host):\(port): \(reason)"
        case .handshakeFailed(let reason): return "ssh handshake failed: \(reason)"
        case .hostKeyMismatch(let expected, let presented):
            return "host key mismatch: expected \(expected), presented \(presented)"
        case .authenticationFailed(let user, let keyFile, let reason):
            return "authentication as \(user) with \(keyFile) failed: \(reason)"
        case .timeout(let what): return "timed out: \(what)"
        case .disconnected(let reason): return "connection lost: \(reason)"
        case .library(let code, let message): return "libssh2 error \(code): \(message)"
        case .closed: return "session closed"
        case .cancelled: return "cancelled"
        }
    }
}

/// One step of a non-blocking libssh2 call: finished, would block, or failed.
enum Progress<Value> {
    case done(Value)
    case again
    case failed(SSHError)
}
