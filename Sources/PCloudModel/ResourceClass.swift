/// How a resource is operated inside its guest (Pacemaker's resource classes, plus `exec`).
public enum ResourceClass: String, Sendable, Codable, CaseIterable {
    /// An OCF resource agent: `/usr/lib/ocf/resource.d/PROVIDER/TYPE ACTION`, parameters as OCF_RESKEY_*.
    case ocf
    /// An LSB init script: `/etc/init.d/TYPE status|start|stop`, exit codes mapped to OCF.
    case lsb
    /// A systemd unit: `systemctl is-active|start|stop TYPE.service`.
    case systemd
    /// User commands: the monitor command's exit 0 = running, 7 = stopped, others = failed.
    case exec
}

/// The operations pcloud runs on a resource. A probe is a one-off monitor that expects nothing.
public enum ResourceAction: String, Sendable, Codable, CaseIterable {
    case probe, monitor, start, stop
}
