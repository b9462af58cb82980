import Foundation
import PCloudTestSupport

/// A real cped and one real sshd guest for the reload tests. A deployable's definition is a file the
/// operator edits, stores with `pcloudsh deployable_import FILE --replace` and applies with
/// `pcloudsh deployable_reload NAME`. Every resource is an `exec` resource whose start appends its
/// parameter `v` (`$OCF_RESKEY_v`) to NAME.starts in a directory the guest and the test share, and
/// whose stop appends to NAME.stops, and whose monitor writes the interval it runs under
/// (`$OCF_RESKEY_CRM_meta_interval`) to NAME.interval: all of it is counted there.
final class ReloadWorld {
    struct Resource {
        var name: String
        var value: String
        var interval = "1s"
        var escalation: Int? = nil
    }

    let guest: SSHDaemon
    let cped: ControllerProcess
    let files: URL
    let name = "rel"

    init() throws {
        guest = try SSHDaemon()
        try guest.start()
        files = URL(fileURLWithPath: "/tmp/pcloud-reload-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        cped = try ControllerProcess(extraArguments: ["--ssh-key", guest.clientKeyPath])
    }

    deinit {
        cped.stop()
        try? FileManager.default.removeItem(at: files)
    }

    func path(_ file: String) -> String { files.appendingPathComponent(file).path }
    var definitionFile: String { path("\(name).yaml") }

    /// The deployable with these assemblies (all on the one sshd), each with its resources.
    func yaml(_ assemblies: [(String, [Resource])]) -> String {
        var text = """
            name: \(name)
            infrastructure: {type: static}
            monitor: {method: ssh, interval: 1s, timeout: 5s}
            assemblies:

            """
        for (assembly, resources) in assemblies {
            text += """
                  - name: \(assembly)
                    address: 127.0.0.1
                    ssh: {user: root, port: \(guest.port), host-key: "\(guest.hostKey)"}
                    resources:

                """
            for resource in resources {
                let key = "\(assembly)-\(resource.name)"
                text += """
                          - name: \(resource.name)
                            class: exec
                            parameters: {v: "\(resource.value)"}
                            exec:
                              monitor: "echo $OCF_RESKEY_CRM_meta_interval > \(path("\(key).interval")); test -f \(path("\(key).state")) || exit 7"
                              start: "echo $OCF_RESKEY_v >> \(path("\(key).starts")); touch \(path("\(key).state"))"
                              stop: "rm -f \(path("\(key).state")); echo stop >> \(path("\(key).stops"))"
                            monitor: {interval: \(resource.interval), timeout: 5s}

                    """
                if let limit = resource.escalation {
                    text += "        escalation: {failures: \(limit), period: 10m}\n"
                }
            }
        }
        return text
    }

    /// Writes the definition file and stores it as the operator does.
    func store(_ assemblies: [(String, [Resource])], replace: Bool = true) throws {
        try yaml(assemblies).write(toFile: definitionFile, atomically: true, encoding: .utf8)
        let stored = try importFile(replace: replace)
        if stored.status != 0 { throw ControllerError("deployable_import: \(stored.output)") }
    }

    func importFile(replace: Bool = true) throws -> (status: Int32, output: String) {
        try runCommand(
            BuiltProducts.path("pcloudsh"),
            ["deployable_import", definitionFile, "--store", cped.storePath] + (replace ? ["--replace"] : []))
    }

    func pcloudsh(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runCommand(BuiltProducts.path("pcloudsh"), arguments + ["--socket", cped.socketPath])
    }

    /// The values the starts of ASSEMBLY/RESOURCE saw, in order.
    func starts(_ id: String) -> [String] { lines(id.replacingOccurrences(of: "/", with: "-") + ".starts") }
    func stops(_ id: String) -> Int { lines(id.replacingOccurrences(of: "/", with: "-") + ".stops").count }
    func isRunning(_ id: String) -> Bool {
        FileManager.default.fileExists(atPath: path(id.replacingOccurrences(of: "/", with: "-") + ".state"))
    }

    /// The interval (ms) the last monitor of ASSEMBLY/RESOURCE ran under (0 for a probe).
    func monitorInterval(_ id: String) -> String? {
        lines(id.replacingOccurrences(of: "/", with: "-") + ".interval").last
    }

    private func lines(_ file: String) -> [String] {
        ((try? String(contentsOfFile: path(file), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func events() async -> [[String: Any]] {
        let answer = try? await APIClient.unix(cped.socketPath).call(.GET, "/v1/events?deployable=\(name)&limit=10000")
        return answer?.json as? [[String: Any]] ?? []
    }

    func kinds() async -> [String] { await events().compactMap { $0["kind"] as? String } }

    func status() async throws -> [String: Any] {
        let answer = try await APIClient.unix(cped.socketPath).call(.GET, "/v1/deployables/\(name)/status")
        return answer.json as? [String: Any] ?? [:]
    }

    /// ASSEMBLY/RESOURCE's entry in the status JSON.
    func resourceStatus(_ id: String) async throws -> [String: Any]? {
        let parts = id.split(separator: "/").map(String.init)
        let assemblies = try await status()["assemblies"] as? [[String: Any]] ?? []
        let resources = assemblies.first { $0["name"] as? String == parts[0] }?["resources"] as? [[String: Any]]
        return resources?.first { $0["name"] as? String == parts[1] }
    }

    func state(_ id: String) async -> String? { (try? await resourceStatus(id))?["state"] as? String }
    func failures(_ id: String) async -> Int? { (try? await resourceStatus(id))?["failures"] as? Int }

    /// Polls `condition` (the API's answers) until it holds or `timeout` passes.
    func eventually(timeout: TimeInterval = 30, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Starts the deployable and waits until it runs.
    func startAndWait() throws {
        let started = try pcloudsh(["deployable_start", name, "--wait", "--timeout", "60s"])
        if started.status != 0 { throw ControllerError("start: \(started.output)\n\(cped.log.suffix(3000))") }
    }

    /// Reloads and waits for the engine to say so.
    func reload() async throws {
        let before = await kinds().filter { $0 == "deployable.reloaded" }.count
        let reloaded = try pcloudsh(["deployable_reload", name])
        if reloaded.status != 0 { throw ControllerError("reload: \(reloaded.output)") }
        let deadline = Date().addingTimeInterval(30)
        while await kinds().filter({ $0 == "deployable.reloaded" }).count == before {
            if Date() > deadline { throw ControllerError("no deployable.reloaded event\n\(cped.log.suffix(3000))") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Waits until the deployable is running again (every resource probed and started).
    func waitRunning() throws {
        let waited = try pcloudsh(["deployable_wait", name, "--for", "running", "--timeout", "60s"])
        if waited.status != 0 { throw ControllerError("wait: \(waited.output)\n\(cped.log.suffix(3000))") }
    }
}
