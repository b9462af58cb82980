/// A static deployable of one assembly on `guest` (a real sshd standing in for the guest) with one
/// `exec` resource `app` whose state is a file: its start appends a line to `log`, so every start
/// is counted from the guest's side, and creates `state`; its stop removes `state`; its monitor
/// checks it every second. Removing `state` is a resource failure.
public enum CountedStartDeployable {
    public static func yaml(name: String, assembly: String, guest: SSHDaemon, log: String, state: String) -> String {
        """
        name: \(name)
        infrastructure: {type: static}
        monitor: {method: ssh, interval: 1s, timeout: 5s}
        assemblies:
          - name: \(assembly)
            address: 127.0.0.1
            ssh: {user: root, port: \(guest.port), host-key: "\(guest.hostKey)"}
            resources:
              - name: app
                class: exec
                exec:
                  monitor: "test -f \(state) || exit 7"
                  start: "echo start >> \(log); touch \(state)"
                  stop: "rm -f \(state)"
                monitor: {interval: 1s, timeout: 5s}

        """
    }
}
