import PCloudModel
import Testing

@testable import pcloud_agent

/// One table for both monitoring methods: for every class and action, the program and
/// environment each method runs, and the OCF code each makes of every exit status. Before
/// `ResourceInvocation`, ssh and the agent each had their own copy and they had drifted: an exec
/// command's exit 5 was a soft failure over ssh and an unrecoverable "not installed" over the
/// agent, the monitor interval reached OCF agents only over ssh, and an ocf resource without a
/// provider ran as heartbeat's over ssh but was refused over the agent.
@Suite struct ResourceInvocationTableTests {
    static let monitorInterval = Duration.milliseconds(2500)

    static func resource(_ resourceClass: ResourceClass) -> Resource {
        Resource(
            name: "r", resourceClass: resourceClass, type: resourceClass == .exec ? "" : "Dummy",
            provider: nil,  // ocf: the default provider, on both paths
            commands: resourceClass == .exec ? ExecCommands(monitor: "check", start: "begin", stop: "end") : nil,
            monitor: OperationTiming(interval: monitorInterval, timeout: .seconds(20)))
    }

    static let parameters = ["p": "v", "a": "1"]

    /// The program and arguments each class runs for each action.
    static func expectedArguments(_ resourceClass: ResourceClass, _ action: ResourceAction) -> [String] {
        switch (resourceClass, action) {
        case (.ocf, .probe): return ["/usr/lib/ocf/resource.d/heartbeat/Dummy", "monitor"]
        case (.ocf, _): return ["/usr/lib/ocf/resource.d/heartbeat/Dummy", action.rawValue]
        case (.lsb, .probe), (.lsb, .monitor): return ["/etc/init.d/Dummy", "status"]
        case (.lsb, _): return ["/etc/init.d/Dummy", action.rawValue]
        case (.systemd, .probe), (.systemd, .monitor): return ["systemctl", "is-active", "Dummy.service"]
        case (.systemd, _): return ["systemctl", action.rawValue, "Dummy.service"]
        case (.exec, .probe), (.exec, .monitor): return ["/bin/sh", "-c", "check"]
        case (.exec, .start): return ["/bin/sh", "-c", "begin"]
        case (.exec, .stop): return ["/bin/sh", "-c", "end"]
        }
    }

    /// What each class adds to the environment, in order.
    static func expectedEnvironment(_ resourceClass: ResourceClass, _ action: ResourceAction) -> [String] {
        let interval: [String] =
            switch action {
            case .probe: ["OCF_RESKEY_CRM_meta_interval=0"]
            case .monitor: ["OCF_RESKEY_CRM_meta_interval=2500"]
            case .start, .stop: []
            }
        let reskeys = ["OCF_RESKEY_a=1", "OCF_RESKEY_p=v"]
        switch resourceClass {
        case .ocf:
            return ["OCF_ROOT=/usr/lib/ocf", "OCF_RESOURCE_INSTANCE=r", "OCF_RESOURCE_TYPE=Dummy", "OCF_RESOURCE_PROVIDER=heartbeat"]
                + reskeys + interval
        case .exec: return ["OCF_ROOT=/usr/lib/ocf", "OCF_RESOURCE_INSTANCE=r"] + reskeys + interval
        case .lsb, .systemd: return []
        }
    }

    /// The OCF code of an exit status, by class and action (Pacemaker's mappings; see
    /// `ResourceInvocation`). Statuses not listed are the default.
    static func expectedCode(_ resourceClass: ResourceClass, _ action: ResourceAction, _ status: Int32) -> OCFExitCode {
        let checks = action == .probe || action == .monitor
        let listed: [Int32: OCFExitCode]
        let otherwise: OCFExitCode
        switch (resourceClass, checks) {
        case (.ocf, _):
            listed = [
                0: .ok, 1: .unknownError, 2: .invalidParameter, 3: .unimplemented, 4: .insufficientPrivileges,
                5: .notInstalled, 6: .notConfigured, 7: .notRunning, 8: .runningPromoted, 9: .failedPromoted,
            ]
            otherwise = .unknownError
        case (.lsb, true):
            listed = [0: .ok, 1: .notRunning, 2: .notRunning, 3: .notRunning, 150: .notInstalled, 151: .insufficientPrivileges]
            otherwise = .unknownError
        case (.lsb, false):
            listed = [
                0: .ok, 1: .unknownError, 2: .invalidParameter, 3: .unimplemented, 4: .insufficientPrivileges,
                5: .notInstalled, 6: .notConfigured, 7: .notRunning,
            ]
            otherwise = .unknownError
        case (.systemd, true):
            listed = [0: .ok]
            otherwise = .notRunning
        case (.systemd, false):
            listed = [0: .ok, 4: .insufficientPrivileges, 5: .notInstalled]
            otherwise = .unknownError
        case (.exec, true):
            listed = [0: .ok, 7: .notRunning]
            otherwise = .unknownError
        case (.exec, false):
            listed = [0: .ok]
            otherwise = .unknownError
        }
        return listed[status] ?? otherwise
    }

    static let statuses: [Int32] = Array(0...10) + [126, 127, 150, 151, 200, 255]

    static let cases: [(ResourceClass, ResourceAction)] = ResourceClass.allCases.flatMap { resourceClass in
        ResourceAction.allCases.map { (resourceClass, $0) }
    }

    @Test(arguments: cases)
    func bothMethodsRunTheSameProgramAndReadItsExitTheSameWay(_ resourceClass: ResourceClass, _ action: ResourceAction)
        throws
    {
        let both = try BothMethods(action, Self.resource(resourceClass), parameters: Self.parameters)
        let arguments = Self.expectedArguments(resourceClass, action)
        let environment = Self.expectedEnvironment(resourceClass, action)

        #expect([both.agent.executable] + both.agent.arguments == arguments, "agent argv")
        var expectedVariables: [String: String] = [:]
        for assignment in environment {
            let equals = try #require(assignment.firstIndex(of: "="))
            expectedVariables[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        #expect(both.agent.environment == expectedVariables, "agent environment")
        #expect(try both.sshWords() == (environment.isEmpty ? arguments : ["env"] + environment + arguments), "ssh words")

        for status in Self.statuses {
            let expected = Self.expectedCode(resourceClass, action, status)
            #expect(both.ssh.code(forExitStatus: status) == expected, "ssh: \(resourceClass) \(action) exit \(status)")
            #expect(both.agent.code(status: status) == expected, "agent: \(resourceClass) \(action) exit \(status)")
        }
    }
}
