import CLibvirt

/// A failed libvirt call, with libvirt's own message (virGetLastErrorMessage) and error code.
public struct LibvirtError: Error, Sendable, CustomStringConvertible {
    /// What pcloud was doing: `define pcloud-demo-web`.
    public var operation: String
    /// libvirt's message for the failure.
    public var message: String
    /// libvirt's error code (`virErrorNumber`), 0 when the failure was pcloud's own.
    public var code: Int32

    public init(operation: String, message: String, code: Int32 = 0) {
        self.operation = operation
        self.message = message
        self.code = code
    }

    /// The error libvirt recorded for the calling thread. Must be read on the thread that made
    /// the failed call: libvirt keeps the last error per thread. `operation` is evaluated only
    /// after the error is read, since any libvirt call in it (virDomainGetName) resets the error.
    static func last(_ operation: @autoclosure () -> String) -> LibvirtError {
        let message = String(cString: virGetLastErrorMessage())
        let code = virGetLastErrorCode()
        return LibvirtError(operation: operation(), message: message, code: code)
    }

    public var isNoDomain: Bool { code == Int32(VIR_ERR_NO_DOMAIN.rawValue) }
    public var isNoMetadata: Bool { code == Int32(VIR_ERR_NO_DOMAIN_METADATA.rawValue) }
    /// The operation needs another state (destroying a domain that is not running).
    public var isInvalidState: Bool { code == Int32(VIR_ERR_OPERATION_INVALID.rawValue) }

    public var description: String { "libvirt: \(operation): \(message)" }
}
