import PCloudModel
import PCloudSSH

/// The shell command that runs one resource operation in a guest, and how its exit status maps to
/// OCF. Pure: no I/O, so every class's command line is unit-tested.
public struct ResourceCommand: Sendable, Hashable {
    /// The command line for the guest's shell; every value in it is quoted.
    public var command: String
    private var mapping: Mapping

    enum Mapping: Sendable, Hashable {
        case ocf
        case lsb(ResourceAction)
        case systemd(ResourceAction)
        case exec(ResourceAction)
    }

    public static let ocfRoot = "/usr/lib/ocf"

    /// The command for `action` on `resource`; nil when the resource has no way to do it (an exec
    /// resource without a start or stop command).
    public init?(_ action: ResourceAction, resource: Resource, parameters: [String: String]) {
        switch resource.resourceClass {
        case .systemd:
            let unit = resource.type.contains(".") ? resource.type : resource.type + ".service"
            let verb = action == .start ? "start" : action == .stop ? "stop" : "is-active"
            command = ShellQuote.command(["systemctl", verb, unit])
            mapping = .systemd(action)
        case .lsb:
            let verb = action == .start ? "start" : action == .stop ? "stop" : "status"
            command = ShellQuote.command(["/etc/init.d/" + resource.type, verb])
            mapping = .lsb(action)
        case .ocf:
            let agent = "\(Self.ocfRoot)/resource.d/\(resource.provider ?? "heartbeat")/\(resource.type)"
            var environment = [
                "OCF_ROOT=\(Self.ocfRoot)", "OCF_RESOURCE_INSTANCE=\(resource.name)",
                "OCF_RESOURCE_TYPE=\(resource.type)", "OCF_RESOURCE_PROVIDER=\(resource.provider ?? "heartbeat")",
            ]
            environment += Self.reskeys(parameters)
            switch action {
            case .probe: environment.append("OCF_RESKEY_CRM_meta_interval=0")
            case .monitor: environment.append("OCF_RESKEY_CRM_meta_interval=\(Self.milliseconds(resource.monitor.interval))")
            case .start, .stop: break
            }
            let verb = action == .probe ? "monitor" : action.rawValue
            command = ShellQuote.command(["env"] + environment + [agent, verb])
            mapping = .ocf
        case .exec:
            let text: String?
            switch action {
            case .probe, .monitor: text = resource.commands?.monitor
            case .start: text = resource.commands?.start
            case .stop: text = resource.commands?.stop
            }
            guard let text else { return nil }
            command = ShellQuote.command(["env"] + Self.reskeys(parameters) + ["sh", "-c", text])
            mapping = .exec(action)
        }
    }

    /// The OCF code for the command's exit status.
    public func code(forExitStatus status: Int32) -> OCFExitCode {
        switch mapping {
        case .ocf: return OCFExitCode(status: status)
        case .lsb(let action): return OCFExitCode(lsbStatus: status, action: action)
        case .systemd(let action): return OCFExitCode(systemdStatus: status, action: action)
        case .exec(let action):
            switch (action, status) {
            case (_, 0): return .ok
            case (.monitor, 7), (.probe, 7): return .notRunning
            default: return .unknownError
            }
        }
    }

    /// Parameters as `OCF_RESKEY_name=value`, sorted by name so the command is stable.
    static func reskeys(_ parameters: [String: String]) -> [String] {
        parameters.sorted { $0.key < $1.key }.map { "OCF_RESKEY_\($0.key)=\($0.value)" }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
