import PCloudAMQP
import PCloudModel
import Testing

@testable import pcloud_agent

@Suite struct ResourceCommandTests {
    @Test func systemdUsesSystemctlOnTheServiceUnit() throws {
        let spec = ResourceSpec(name: "web", resourceClass: "systemd", type: "nginx")
        let monitor = try ResourceCommand.build(spec, action: .monitor)
        #expect(monitor.executable == "systemctl")
        #expect(monitor.arguments == ["is-active", "nginx.service"])
        #expect(monitor.environment.isEmpty)
        #expect(try ResourceCommand.build(spec, action: .start).arguments == ["start", "nginx.service"])
        #expect(try ResourceCommand.build(spec, action: .stop).arguments == ["stop", "nginx.service"])
        #expect(monitor.code(status: 3) == .notRunning)
        #expect(try ResourceCommand.build(spec, action: .start).code(status: 5) == .notInstalled)
    }

    @Test func lsbRunsTheInitScriptAndMapsItsStatus() throws {
        let spec = ResourceSpec(name: "db", resourceClass: "lsb", type: "mariadb")
        let status = try ResourceCommand.build(spec, action: .probe)
        #expect(status.executable == "/etc/init.d/mariadb")
        #expect(status.arguments == ["status"])
        #expect(status.code(status: 3) == .notRunning)
        #expect(status.code(status: 4) == .unknownError)
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
        #expect(probe.code(status: 7) == .notRunning)
    }

    /// The monitor interval reached OCF agents only over ssh: over the agent a recurring monitor
    /// looked like a probe (interval unset).
    @Test func ocfMonitorIsToldItsIntervalInMilliseconds() throws {
        let spec = ResourceSpec(name: "vip", resourceClass: "ocf", type: "IPaddr2", provider: "heartbeat")
        let monitor = try ResourceCommand.build(spec, action: .monitor, monitorInterval: 2.5)
        #expect(monitor.environment["OCF_RESKEY_CRM_meta_interval"] == "2500")
        let older = try ResourceCommand.build(spec, action: .monitor)
        #expect(older.environment["OCF_RESKEY_CRM_meta_interval"] == "10000", "no interval: the model's default")
        #expect(try ResourceCommand.build(spec, action: .start).environment["OCF_RESKEY_CRM_meta_interval"] == nil)
    }

    @Test func ocfWithoutAProviderUsesHeartbeatAsOverSSH() throws {
        let spec = ResourceSpec(name: "d", resourceClass: "ocf", type: "Dummy")
        let start = try ResourceCommand.build(spec, action: .start)
        #expect(start.executable == "/usr/lib/ocf/resource.d/heartbeat/Dummy")
        #expect(start.environment["OCF_RESOURCE_PROVIDER"] == "heartbeat")
    }

    @Test func execRunsItsCommandsWithTheShell() throws {
        let spec = ResourceSpec(
            name: "app", resourceClass: "exec", type: "app", params: ["port": "80"],
            commands: ExecCommandSpec(monitor: "pgrep app", start: "app &"))
        let start = try ResourceCommand.build(spec, action: .start)
        #expect(start.executable == "/bin/sh")
        #expect(start.arguments == ["-c", "app &"])
        #expect(start.environment["OCF_RESKEY_port"] == "80")
        #expect(start.code(status: 5) == .unknownError, "a user command's 5 is not OCF's 'not installed'")
        #expect(throws: ResourceInvocation.Unavailable("exec resource 'app' has no stop command")) {
            try ResourceCommand.build(spec, action: .stop)
        }
    }

    @Test func anUnknownClassIsUnavailable() {
        #expect(throws: ResourceInvocation.Unavailable("unknown resource class 'upstart'")) {
            try ResourceCommand.build(ResourceSpec(name: "u", resourceClass: "upstart", type: "u"), action: .start)
        }
    }
}
