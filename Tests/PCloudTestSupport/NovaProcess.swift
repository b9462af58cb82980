import Foundation

/// The real Nova API (placement, conductor, scheduler, a fake-driver compute, Nova's own
/// glance and neutron fixtures) in one Python process on 127.0.0.1, as Nova's functional tests
/// run it. Auth is the stubbed-keystone pipeline: X-Auth-User / X-Auth-Project-Id / X-Roles.
public final class NovaProcess: @unchecked Sendable {
    public let harness: HarnessProcess

    /// Why Nova cannot run here, or nil.
    public static var missing: String? { HarnessProcess.missing(venv: "openstack-venv") }

    /// A server whose name contains this fails to build (the harness makes the fake driver
    /// raise), giving a real ERROR state with a real fault message.
    public static let failBuildMark = "harness-fail-build"

    /// A server whose name contains this takes seconds to reboot, so actions sent meanwhile
    /// meet a real 409.
    public static let slowRebootMark = "harness-slow-reboot"

    /// With `keystone`, Nova checks tokens with the real keystonemiddleware against that Keystone
    /// (its admin account as the service user) instead of reading the stubbed headers.
    public init(port: Int = 0, keystone: KeystoneProcess? = nil) throws {
        var arguments = ["--port", String(port)]
        var environment = ProcessInfo.processInfo.environment
        if let keystone {
            arguments += ["--keystone", keystone.authURL]
            environment["PCLOUD_KEYSTONE_PASSWORD"] = keystone.adminPassword
        }
        harness = try HarnessProcess(
            name: "nova", venv: "openstack-venv", script: "nova_server.py", arguments: arguments, environment: environment,
            timeout: 120)
    }

    /// The compute endpoint, as a service catalog would list it.
    public var computeURL: String { "http://127.0.0.1:\(harness.port)/v2.1" }
    /// The project Nova's fixtures own networks and ports in (servers get addresses there).
    public var projectID: String { harness.ready["project"] ?? "" }
    public var networkID: String { harness.ready["network"] ?? "" }
    public var imageID: String { harness.ready["image"] ?? "" }
    public var flavorID: String { harness.ready["flavor"] ?? "1" }
    public var log: String { harness.log }

    public func stop() { harness.stop() }
}

/// The real Keystone on sqlite with fernet tokens, bootstrapped with an `admin` user and
/// project, and with `computeURL` registered as the `compute` service in RegionOne.
public final class KeystoneProcess: @unchecked Sendable {
    public let harness: HarnessProcess
    public let adminPassword: String

    public static var missing: String? { HarnessProcess.missing(venv: "openstack-venv") }

    public init(computeURL: String?, tokenExpiration: Int = 3600) throws {
        adminPassword = "pw-\(UUID().uuidString.prefix(12))"
        var arguments = ["--token-expiration", String(tokenExpiration)]
        var environment = ProcessInfo.processInfo.environment
        environment["PCLOUD_KEYSTONE_PASSWORD"] = adminPassword
        if let computeURL { arguments += ["--compute-url", computeURL] }
        harness = try HarnessProcess(
            name: "keystone", venv: "openstack-venv", script: "keystone_server.py", arguments: arguments,
            environment: environment,
            timeout: 300)
    }

    public var authURL: String { "http://127.0.0.1:\(harness.port)/v3" }
    public var log: String { harness.log }

    public func stop() { harness.stop() }

    deinit { harness.stop() }
}
