import Foundation
import PCloudTestSupport

/// The real Keystone and a real Nova that checks its tokens (keystonemiddleware), registered in
/// Keystone's catalog as `compute`; shared by this target's tests, exiting with the test process.
enum SharedKeystone {
    struct Pair: Sendable {
        let keystone: KeystoneProcess
        let nova: NovaProcess
    }

    static let started = Task {
        try await onOwnThread {
            let port = freeLocalPort()
            let keystone = try KeystoneProcess(computeURL: "http://127.0.0.1:\(port)/v2.1")
            let nova = try NovaProcess(port: port, keystone: keystone)
            return Pair(keystone: keystone, nova: nova)
        }
    }

    /// Both running, or nil with the reason printed when the venvs are not installed.
    static func pair() async throws -> Pair? {
        if let reason = KeystoneProcess.missing ?? NovaProcess.missing {
            print("skipping: \(reason)")
            return nil
        }
        return try await started.value
    }
}
