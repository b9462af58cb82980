import PCloudAMQP
import PCloudModel

/// The command that performs one action on one resource inside the guest, and how its exit
/// status becomes an OCF code. Pure: building it runs nothing.
struct ResourceCommand: Equatable, Sendable {
    var executable: String
    var arguments: [String]
    var environment: [String: String]
    var resourceClass: String

    /// The exit status as an OCF code, by the class's conventions.
    func code(status: Int32, action: ResourceAction) -> OCFExitCode {
        switch resourceClass {
        case "lsb": return OCFExitCode(lsbStatus: status, action: action)
        case "systemd": return OCFExitCode(systemdStatus: status, action: action)
        default: return OCFExitCode(status: status)
        }
    }

    static let ocfRoot = "/usr/lib/ocf"

    /// Builds the command; an action the resource cannot do is `unimplemented` (OCF code 3).
    static func build(
        _ spec: ResourceSpec, action: ResourceAction, ocfRoot: String = ocfRoot
    ) throws(ResourceCommandError)
        -> ResourceCommand
    {
        var environment: [String: String] = ["OCF_ROOT": ocfRoot, "OCF_RESOURCE_INSTANCE": spec.name]
        for (key, value) in spec.params { environment["OCF_RESKEY_\(key)"] = value }
        switch spec.resourceClass {
        case "systemd":
            let unit = spec.type.contains(".") ? spec.type : "\(spec.type).service"
            let verb = action == .start ? "start" : action == .stop ? "stop" : "is-active"
            return ResourceCommand(
                executable: "/usr/bin/systemctl", arguments: [verb, unit], environment: [:], resourceClass: "systemd")
        case "lsb":
            let verb = action == .start ? "start" : action == .stop ? "stop" : "status"
            return ResourceCommand(
                executable: "/etc/init.d/\(spec.type)", arguments: [verb], environment: [:], resourceClass: "lsb")
        case "ocf":
            guard let provider = spec.provider else { throw ResourceCommandError("ocf resource without provider") }
            environment["OCF_RESOURCE_TYPE"] = spec.type
            environment["OCF_RESOURCE_PROVIDER"] = provider
            if action == .probe { environment["OCF_RESKEY_CRM_meta_interval"] = "0" }
            let verb = action == .probe ? "monitor" : action.rawValue
            return ResourceCommand(
                executable: "\(ocfRoot)/resource.d/\(provider)/\(spec.type)", arguments: [verb],
                environment: environment, resourceClass: "ocf")
        case "exec":
            guard let commands = spec.commands else { throw ResourceCommandError("exec resource without commands") }
            let script: String?
            switch action {
            case .probe, .monitor: script = commands.monitor
            case .start: script = commands.start
            case .stop: script = commands.stop
            }
            guard let script else { throw ResourceCommandError("exec resource '\(spec.name)' has no \(action) command") }
            return ResourceCommand(
                executable: "/bin/sh", arguments: ["-c", script], environment: environment, resourceClass: "exec")
        default:
            throw ResourceCommandError("unknown resource class '\(spec.resourceClass)'")
        }
    }
}

struct ResourceCommandError: Error, Equatable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
