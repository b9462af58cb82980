import PCloudAMQP
import PCloudModel
import Testing

@testable import pcloud_agent

@Suite struct ResourceCommandTests {
    @Test func systemdUsesSystemctlOnTheServiceUnit() throws {
        let spec = ResourceSpec(name: "web", resourceClass: "systemd", type: "nginx")
        let monitor = try ResourceCommand.build(spec, action: .monitor)
        #expect(monitor.executable == "/usr/bin/systemctl")
        #expect(monitor.arguments == ["is-active", "nginx.service"])
        #expect(try ResourceCommand.build(spec, action: .start).arguments == ["start", "nginx.service"])
        #expect(try ResourceCommand.build(spec, action: .stop).arguments == ["stop", "nginx.service"])
        #expect(monitor.code(status: 3, action: .monitor) == .notRunning)
        #expect(monitor.code(status: 5, action: .start) == .notInstalled)
    }

    @Test func lsbRunsTheInitScriptAndMapsItsStatus() throws {
        let spec = ResourceSpec(name: "db", resourceClass: "lsb", type: "mariadb")
        let status = try ResourceCommand.build(spec, action: .probe)
        #expect(status.executable == "/etc/init.d/mariadb")
        #expect(status.arguments == ["status"])
        #expect(status.code(status: 3, action: .probe) == .notRunning)
        #expect(status.code(status: 4, action: .monitor) == .unknownError)
        #expect(try ResourceCommand.build(spec, action: .start).arguments == ["start"])
    }

    @Test func ocfGetsItsRootInstanceAndParametersInTheEnvironment() throws {
        let spec = ResourceSpec(
            name: "vip", resourceClass: "ocf", type: "IPaddr2", provider: "heartbeat", params: ["ip": "10.0.0.5"])
        let probe = try ResourceCommand.build(spec, action: .probe)
        #expect(probe.executable == "/usr/lib/ocf/resource.d/heartbeat/IPaddr2")
        #expect(probe.arguments == ["monitor"])
        #expect(probe.environment["OCF_ROOT"] == "/usr/lib/ocf")
        #expect(probe.environment["OCF_RESOURCE_INSTANCE"] == "vip")
        #expect(probe.environment["OCF_RESKEY_ip"] == "10.0.0.5")
        #expect(probe.environment["OCF_RESKEY_CRM_meta_interval"] == "0")
        #expect(try ResourceCommand.build(spec, action: .stop).arguments == ["stop"])
        #expect(probe.code(status: 7, action: .probe) == .notRunning)
    }

    @Test func execRunsItsCommandsWithTheShell() throws {
        let spec = ResourceSpec(
            name: "app", resourceClass: "exec", type: "app", params: ["port": "80"],
            commands: ExecCommandSpec(monitor: "pgrep app", start: "app &"))
        let start = try ResourceCommand.build(spec, action: .start)
        #expect(start.executable == "/bin/sh")
        #expect(start.arguments == ["-c", "app &"])
        #expect(start.environment["OCF_RESKEY_port"] == "80")
        #expect(throws: ResourceCommandError("exec resource 'app' has no stop command")) {
            try ResourceCommand.build(spec, action: .stop)
        }
    }
}
