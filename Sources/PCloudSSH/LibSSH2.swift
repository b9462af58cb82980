import CLibssh2

/// Process-wide libssh2 initialisation (libssh2_init), done once before the first session.
public enum LibSSH2 {
    private static let initialised: Int32 = libssh2_init(0)

    /// Initialises libssh2 if needed; throws when the library (its crypto backend) cannot start.
    public static func ensureInitialised() throws(SSHError) {
        let rc = initialised
        if rc != 0 { throw .library(code: rc, message: "libssh2_init failed") }
    }

    /// The libssh2 version this process runs with, e.g. "1.10.0".
    public static var version: String {
        guard let text = libssh2_version(0) else { return "unknown" }
        return String(cString: text)
    }
}
