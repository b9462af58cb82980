import PCloudModel
import Testing

@testable import PCloudMonitor

@Suite struct ResourceCommandTests {
    private let dummy = Resource(
        name: "web dummy", resourceClass: .ocf, type: "Dummy", provider: "heartbeat",
        monitor: OperationTiming(interval: .seconds(10), timeout: .seconds(20)))

    @Test func ocfProbeIsAMonitorWithIntervalZeroAndQuotedParameters() throws {
        let command = try #require(
            ResourceCommand(.probe, resource: dummy, parameters: ["state": "/run/x y", "fake": "it's $5"]))
        #expect(
            command.command
                == "env OCF_ROOT=/usr/lib/ocf 'OCF_RESOURCE_INSTANCE=web dummy' OCF_RESOURCE_TYPE=Dummy "
                + "OCF_RESOURCE_PROVIDER=heartbeat 'OCF_RESKEY_fake=it'\\''s $5' 'OCF_RESKEY_state=/run/x y' "
                + "OCF_RESKEY_CRM_meta_interval=0 /usr/lib/ocf/resource.d/heartbeat/Dummy monitor")
        #expect(command.code(forExitStatus: 7) == .notRunning)
        #expect(command.code(forExitStatus: 5) == .notInstalled)
    }

    @Test func ocfWithoutAProviderUsesHeartbeat() throws {
        var resource = dummy
        resource.provider = nil
        let command = try #require(ResourceCommand(.start, resource: resource, parameters: [:]))
        #expect(command.command.contains("OCF_RESOURCE_PROVIDER=heartbeat /usr/lib/ocf/resource.d/heartbeat/Dummy start"))
    }

    @Test func ocfMonitorCarriesTheIntervalInMilliseconds() throws {
        let command = try #require(ResourceCommand(.monitor, resource: dummy, parameters: [:]))
        #expect(command.command.hasSuffix("OCF_RESKEY_CRM_meta_interval=10000 /usr/lib/ocf/resource.d/heartbeat/Dummy monitor"))
        let start = try #require(ResourceCommand(.start, resource: dummy, parameters: [:]))
        #expect(start.command.hasSuffix("/usr/lib/ocf/resource.d/heartbeat/Dummy start"))
        #expect(!start.command.contains("CRM_meta_interval"))
    }

    @Test func lsbUsesTheInitScriptAndMapsStatusCodes() throws {
        let resource = Resource(name: "db", resourceClass: .lsb, type: "mariadb")
        let status = try #require(ResourceCommand(.monitor, resource: resource, parameters: [:]))
        #expect(status.command == "/etc/init.d/mariadb status")
        #expect(status.code(forExitStatus: 3) == .notRunning)
        #expect(status.code(forExitStatus: 0) == .ok)
        #expect(status.code(forExitStatus: 4) == .unknownError)
        #expect(try #require(ResourceCommand(.start, resource: resource, parameters: [:])).command == "/etc/init.d/mariadb start")
        #expect(try #require(ResourceCommand(.stop, resource: resource, parameters: [:])).command == "/etc/init.d/mariadb stop")
    }

    @Test func systemdUsesSystemctlOnTheServiceUnit() throws {
        let resource = Resource(name: "web", resourceClass: .systemd, type: "nginx")
        let monitor = try #require(ResourceCommand(.monitor, resource: resource, parameters: [:]))
        #expect(monitor.command == "systemctl is-active nginx.service")
        #expect(monitor.code(forExitStatus: 3) == .notRunning)
        let start = try #require(ResourceCommand(.start, resource: resource, parameters: [:]))
        #expect(start.command == "systemctl start nginx.service")
        #expect(start.code(forExitStatus: 5) == .notInstalled)
        let socket = Resource(name: "s", resourceClass: .systemd, type: "sshd.socket")
        #expect(try #require(ResourceCommand(.stop, resource: socket, parameters: [:])).command == "systemctl stop sshd.socket")
    }

    @Test func execRunsTheUserCommandWithParametersInTheEnvironment() throws {
        let resource = Resource(
            name: "check", resourceClass: .exec, type: "",
            commands: ExecCommands(monitor: "test -f \"$OCF_RESKEY_file\" || exit 7", start: "touch \"$OCF_RESKEY_file\""))
        let monitor = try #require(ResourceCommand(.monitor, resource: resource, parameters: ["file": "/tmp/a b"]))
        #expect(
            monitor.command
                == "env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=check 'OCF_RESKEY_file=/tmp/a b' "
                + "OCF_RESKEY_CRM_meta_interval=10000 /bin/sh -c 'test -f \"$OCF_RESKEY_file\" || exit 7'")
        #expect(monitor.code(forExitStatus: 0) == .ok)
        #expect(monitor.code(forExitStatus: 7) == .notRunning)
        #expect(monitor.code(forExitStatus: 1) == .unknownError)
        #expect(monitor.code(forExitStatus: 5) == .unknownError, "a user command's 5 is not OCF's 'not installed'")
        let start = try #require(ResourceCommand(.start, resource: resource, parameters: [:]))
        #expect(start.code(forExitStatus: 7) == .unknownError)
        #expect(ResourceCommand(.stop, resource: resource, parameters: [:]) == nil)
    }

    @Test func livenessOutputGivesUptimeAndBootID() {
        let parsed = SSHMonitor.parseLiveness("12345.67 890.12\n0f1e2d3c-aaaa-bbbb-cccc-000000000000\n")
        #expect(parsed == .success(.alive(uptime: .milliseconds(12_345_670), bootID: "0f1e2d3c-aaaa-bbbb-cccc-000000000000")))
    }

    /// Whatever a guest prints instead of its uptime is that guest's malformed answer: before, `nan`
    /// or `1e300` trapped converting to Int64 and took the whole controller down, at every restart.
    @Test(arguments: ["garbage", "", "nan 1", "NaN", "inf 2", "-inf", "-5 3", "1e300 0", "9.3e15", String(repeating: "9", count: 400)])
    func malformedLivenessAnswersAreRefusedWithAReason(_ answer: String) {
        guard case .failure(let problem) = SSHMonitor.parseLiveness(answer + "\nboot-id\n") else {
            Issue.record("'\(answer.prefix(40))' was read as an uptime")
            return
        }
        #expect(!problem.reason.isEmpty)
        #expect(problem.reason.count < 200, "the reason quotes at most a bounded part of the answer")
    }
}
