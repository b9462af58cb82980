import PCloudAMQP
import PCloudModel

/// A request's resource operation (`ResourceInvocation`) as the agent runs it: the invocation's
/// argv spawned directly (no shell), its variables added to the agent's environment. The argv,
/// environment and exit codes are the invocation's, the same ssh renders.
struct ResourceCommand: Equatable, Sendable {
    let invocation: ResourceInvocation

    /// The program, found on the PATH when it is not a path (`systemctl`), as a shell would.
    var executable: String { invocation.arguments[0] }
    var arguments: [String] { Array(invocation.arguments.dropFirst()) }
    /// The variables the operation adds.
    var environment: [String: String] {
        Dictionary(invocation.environment.map { ($0.name, $0.value) }) { $1 }
    }

    /// The exit status as an OCF code, by the class's conventions.
    func code(status: Int32) -> OCFExitCode { invocation.code(forExitStatus: status) }

    /// The command for `action` on `spec`. `monitorInterval` (seconds) is the resource's recurring
    /// monitor interval: the request's `monitor_interval`, or agent.json's `interval_seconds`; a
    /// request without one (an older controller) gets the model's default monitor interval.
    /// Throws when the resource cannot do the action; the agent answers `unimplemented` (OCF 3).
    static func build(
        _ spec: ResourceSpec, action: ResourceAction, monitorInterval: Double? = nil,
        ocfRoot: String = ResourceInvocation.ocfRoot
    ) throws(ResourceInvocation.Unavailable) -> ResourceCommand {
        guard let resourceClass = ResourceClass(rawValue: spec.resourceClass) else {
            throw ResourceInvocation.Unavailable("unknown resource class '\(spec.resourceClass)'")
        }
        let interval = monitorInterval.flatMap { seconds in
            seconds.isFinite && seconds >= 0 && seconds <= 86_400 ? Duration.milliseconds(Int64((seconds * 1000).rounded())) : nil
        }
        let invocation = try ResourceInvocation(
            action, resourceClass: resourceClass, name: spec.name, type: spec.type, provider: spec.provider,
            parameters: spec.params,
            commands: spec.commands.map { ExecCommands(monitor: $0.monitor, start: $0.start, stop: $0.stop) },
            monitorInterval: interval ?? OperationTiming.defaultMonitor.interval, ocfRoot: ocfRoot)
        return ResourceCommand(invocation: invocation)
    }
}
