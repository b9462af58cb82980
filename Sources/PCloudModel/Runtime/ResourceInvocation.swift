/// One resource operation as the program a guest runs: its argv, the variables it adds to the
/// environment, and how its exit status becomes an OCF code. Pure: building it runs nothing.
///
/// Both monitoring methods use this one value, so a resource behaves the same whichever way its
/// guest is reached: ssh renders it as one quoted command line for the guest's shell
/// (`env NAME=VALUE... PROGRAM ARGS...`), the agent spawns `arguments` with `environment` added to
/// its own. The semantics are Pacemaker's wherever Pacemaker has the class:
///
/// - **ocf**: `OCF_ROOT/resource.d/PROVIDER/TYPE ACTION` (a probe runs `monitor`), the provider
///   `heartbeat` when the resource names none (`defaultOCFProvider`, the original's default). The
///   environment is `OCF_ROOT`, `OCF_RESOURCE_INSTANCE`, `OCF_RESOURCE_TYPE`,
///   `OCF_RESOURCE_PROVIDER`, each parameter as `OCF_RESKEY_name` (sorted by name), and for probe
///   and monitor `OCF_RESKEY_CRM_meta_interval` in milliseconds: 0 for a probe, the resource's
///   monitor interval for a monitor, as Pacemaker's executor passes it (agents tell a probe from a
///   recurring monitor by it). The exit status is the OCF code; anything outside 0...9 is an
///   unknown error.
/// - **lsb**: `/etc/init.d/TYPE start|stop|status`, nothing added to the environment (Pacemaker
///   passes init scripts no parameters). `status` codes are LSB's own: 0 running; 1, 2, 3 not
///   running; 150 not installed and 151 insufficient privileges (Pacemaker's codes in the range
///   LSB leaves to applications); anything else, 4 "unknown" included, an unknown error.
///   start/stop share OCF's codes 0...7; higher is an unknown error (`services__lsb2ocf`).
/// - **systemd**: `systemctl start|stop|is-active UNIT` (`.service` unless the type names a unit
///   kind), found on the PATH as a shell would. is-active: 0 running, anything else not running;
///   start/stop: 0 ok, 4 insufficient privileges, 5 not installed (systemctl's LSB-style "unit not
///   found"), else an unknown error.
/// - **exec** (not a Pacemaker class; the user's own commands): `/bin/sh -c COMMAND` with the OCF
///   environment minus type and provider (`OCF_ROOT`, `OCF_RESOURCE_INSTANCE`, `OCF_RESKEY_*`,
///   the monitor interval), so one script can serve both methods. Exit 0 is ok, 7 on probe or
///   monitor is not running, and **every other status is an unknown error**: a soft failure,
///   recovered by the resource's on-fail, never "not installed" or another hard code that makes
///   the resource unrecoverable on its guest. User commands do not speak OCF: `curl` exits 5 or 6
///   when it cannot resolve a name, `grep` 2 on a missing file. Pacemaker's one class for
///   arbitrary check commands (nagios plugins, `services__nagios2ocf`) likewise maps every status
///   but success to a generic error. The agent used to pass exec statuses through as OCF codes
///   (exit 5 = unrecoverable); ssh did not; this is ssh's behaviour, now both methods'.
public struct ResourceInvocation: Sendable, Hashable {
    /// The program (`arguments[0]`) and its arguments.
    public var arguments: [String]
    /// What the operation adds to the environment it runs in, in a stable order.
    public var environment: [EnvironmentVariable]
    private var mapping: ExitMapping

    public static let ocfRoot = "/usr/lib/ocf"
    /// The provider of an `ocf` resource that names none: the original Pacemaker Cloud's default.
    public static let defaultOCFProvider = "heartbeat"

    /// The operation `action` on one resource. `parameters` are resolved (references filled in);
    /// `monitorInterval` is the resource's recurring monitor interval. Throws when the resource has
    /// no way to do `action` (an exec resource without a stop command): OCF's "unimplemented".
    public init(
        _ action: ResourceAction, resourceClass: ResourceClass, name: String, type: String, provider: String?,
        parameters: [String: String], commands: ExecCommands?, monitorInterval: Duration, ocfRoot: String = ocfRoot
    ) throws(Unavailable) {
        let reskeys = parameters.sorted { $0.key < $1.key }.map { EnvironmentVariable("OCF_RESKEY_\($0.key)", $0.value) }
        let interval: [EnvironmentVariable]
        switch action {
        case .probe: interval = [EnvironmentVariable("OCF_RESKEY_CRM_meta_interval", "0")]
        case .monitor:
            interval = [EnvironmentVariable("OCF_RESKEY_CRM_meta_interval", String(Self.milliseconds(monitorInterval)))]
        case .start, .stop: interval = []
        }
        switch resourceClass {
        case .ocf:
            let provider = provider.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultOCFProvider
            arguments = ["\(ocfRoot)/resource.d/\(provider)/\(type)", action == .probe ? "monitor" : action.rawValue]
            environment =
                [
                    EnvironmentVariable("OCF_ROOT", ocfRoot), EnvironmentVariable("OCF_RESOURCE_INSTANCE", name),
                    EnvironmentVariable("OCF_RESOURCE_TYPE", type), EnvironmentVariable("OCF_RESOURCE_PROVIDER", provider),
                ] + reskeys + interval
            mapping = .ocf
        case .lsb:
            let verb = action == .start ? "start" : action == .stop ? "stop" : "status"
            arguments = ["/etc/init.d/\(type)", verb]
            environment = []
            mapping = .lsb(action)
        case .systemd:
            let unit = type.contains(".") ? type : "\(type).service"
            let verb = action == .start ? "start" : action == .stop ? "stop" : "is-active"
            arguments = ["systemctl", verb, unit]
            environment = []
            mapping = .systemd(action)
        case .exec:
            let command: String?
            switch action {
            case .probe, .monitor: command = commands?.monitor
            case .start: command = commands?.start
            case .stop: command = commands?.stop
            }
            guard let command else {
                throw Unavailable(
                    commands == nil
                        ? "exec resource '\(name)' has no commands" : "exec resource '\(name)' has no \(action.rawValue) command")
            }
            arguments = ["/bin/sh", "-c", command]
            environment =
                [EnvironmentVariable("OCF_ROOT", ocfRoot), EnvironmentVariable("OCF_RESOURCE_INSTANCE", name)]
                + reskeys + interval
            mapping = .exec(action)
        }
    }

    /// The operation `action` on a defined resource, with its parameters resolved.
    public init(
        _ action: ResourceAction, resource: Resource, parameters: [String: String], ocfRoot: String = ocfRoot
    ) throws(Unavailable) {
        try self.init(
            action, resourceClass: resource.resourceClass, name: resource.name, type: resource.type,
            provider: resource.provider, parameters: parameters, commands: resource.commands,
            monitorInterval: resource.monitor.interval, ocfRoot: ocfRoot)
    }

    /// The OCF code for the program's exit status, by its class's conventions and the action.
    public func code(forExitStatus status: Int32) -> OCFExitCode {
        switch mapping {
        case .ocf: return OCFExitCode(status: status)
        case .lsb(let action): return OCFExitCode(lsbStatus: status, action: action)
        case .systemd(let action): return OCFExitCode(systemdStatus: status, action: action)
        case .exec(let action):
            switch (action, status) {
            case (_, 0): return .ok
            case (.probe, 7), (.monitor, 7): return .notRunning
            default: return .unknownError
            }
        }
    }

    /// The environment as `NAME=VALUE` words (env(1)'s and execve's form).
    public var assignments: [String] { environment.map(\.assignment) }

    private enum ExitMapping: Sendable, Hashable {
        case ocf
        case lsb(ResourceAction)
        case systemd(ResourceAction)
        case exec(ResourceAction)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// The resource cannot do the action; the reason is what operators see.
    public struct Unavailable: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }
}

/// One variable an operation sets in its environment.
public struct EnvironmentVariable: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public var assignment: String { "\(name)=\(value)" }
}
