import Foundation
import PCloudTestSupport

/// What `pcloud-bench failover` runs on: a real PostgreSQL, one real sshd standing in for every
/// guest, and several real cped on the one database. Each deployable has one assembly on the sshd
/// and one `exec` resource whose start appends a line to a file of its own, so every start is
/// counted from the guest's side.
final class FailoverWorld {
    let guest: SSHDaemon
    let server: PostgresServer
    let url: String
    let files: URL
    let names: [String]
    private(set) var controllers: [String: ControllerProcess] = [:]

    init(controllers count: Int, deployables: Int) throws {
        guest = try SSHDaemon()
        try guest.start()
        server = try PostgresServer.shared()
        url = server.tcpURL(try server.createDatabase())
        files = URL(fileURLWithPath: "/tmp/pcloud-failover-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        names = (1...deployables).map { String(format: "d%03d", $0) }
        for index in 0..<count { try launch("c\(index)") }
    }

    deinit {
        for controller in controllers.values { controller.stop() }
        try? FileManager.default.removeItem(at: files)
    }

    /// Starts (or starts again, after a kill) the controller `name`.
    func launch(_ name: String) throws {
        controllers[name] = try ControllerProcess(
            extraArguments: [
                "--store-password-file", server.passwordFile, "--ssh-key", guest.clientKeyPath, "--controller-name", name,
                "--log-level", "warning",
            ], store: url, logLevel: nil)
    }

    func kill(_ name: String) {
        controllers[name]?.process.signal(SIGKILL)
        controllers[name]?.process.process.waitUntilExit()
        controllers[name] = nil
    }

    var live: [String] { controllers.keys.sorted() }

    func pid(_ name: String) -> Int32? { controllers[name]?.process.pid }

    func path(_ file: String) -> String { files.appendingPathComponent(file).path }

    func yaml(_ name: String) -> String {
        CountedStartDeployable.yaml(
            name: name, assembly: "\(name)-box", guest: guest, log: path("\(name).log"), state: path("\(name).state"))
    }

    /// Starts counted in the guest for deployable `name`.
    func starts(_ name: String) -> Int {
        ((try? String(contentsOfFile: path("\(name).log"), encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// Breaks `name`'s resource inside the guest (its monitor then fails).
    func breakResource(_ name: String) { try? FileManager.default.removeItem(atPath: path("\(name).state")) }

    func pcloudsh(_ arguments: [String], on controller: String) throws -> (status: Int32, output: String) {
        guard let socket = controllers[controller]?.socketPath else { throw BenchError("no controller \(controller)") }
        return try runCommand(BuiltProducts.path("pcloudsh"), arguments + ["--socket", socket], timeout: 120)
    }

    /// Who holds each deployable's lease now (unexpired), as `controller` reads the store.
    func holders(asSeenBy controller: String) -> [String: String] {
        guard let output = try? pcloudsh(["cluster_status", "--json"], on: controller).output,
            let view = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        else { return [:] }
        var holders: [String: String] = [:]
        for lease in view["leases"] as? [[String: Any]] ?? [] {
            guard let deployable = lease["deployable"] as? String, let holder = lease["holder"] as? String,
                (lease["expiresIn"] as? Double ?? 0) > 0
            else { continue }
            holders[deployable] = holder
        }
        return holders
    }

    /// Defines and starts every deployable through the first controller, waiting for each to run.
    func startAll() throws {
        let first = live[0]
        for name in names {
            let definition = path("\(name).yaml")
            try yaml(name).write(toFile: definition, atomically: true, encoding: .utf8)
            let imported = try runCommand(
                BuiltProducts.path("pcloudsh"),
                ["deployable_import", definition, "--store", url, "--store-password-file", server.passwordFile], timeout: 120)
            guard imported.status == 0 else { throw BenchError("import of \(name): \(imported.output)") }
            let started = try pcloudsh(["deployable_start", name, "--wait", "--timeout", "120s"], on: first)
            guard started.status == 0 else { throw BenchError("start of \(name): \(started.output)") }
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
