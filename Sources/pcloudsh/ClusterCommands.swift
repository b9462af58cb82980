import ArgumentParser
import Foundation

/// `cluster_status`: the controllers on this store and what each owns, as any of them sees it.
struct ClusterStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster_status",
        abstract:
            "Show the controllers sharing the store (heartbeat age), which deployable each owns and under which lease epoch.")
    @OptionGroup var controller: ControllerOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let data = try await controller.client.request(.GET, "/v1/cluster")
        if output.json {
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let view = try JSONDecoder().decode(View.self, from: data)
        guard view.mode == "cluster" else {
            print("One controller (SQLite store): it owns every deployable.")
            return
        }
        print("Controllers (\(view.members.count)), answered by \(view.controller ?? "-"):")
        let held = view.leases.filter { $0.holder != nil && $0.expiresIn > 0 }
        Output.table(
            ["CONTROLLER", "ADDRESS", "HEARTBEAT", "OWNS"],
            view.members.map { member in
                [
                    member.controller, member.address, String(format: "%.1f s ago", member.heartbeatAge),
                    held.filter { $0.holder == member.controller }.map(\.deployable).sorted().joined(separator: ", "),
                ]
            })
        guard !view.leases.isEmpty else { return }
        print("Leases:")
        Output.table(
            ["DEPLOYABLE", "OWNER", "EPOCH", "EXPIRES IN"],
            view.leases.map { lease in
                [
                    lease.deployable, lease.holder ?? "(released)", "\(lease.epoch)",
                    lease.expiresIn > 0 ? String(format: "%.1f s", lease.expiresIn) : "expired",
                ]
            })
    }

    struct View: Decodable {
        var mode: String
        var controller: String?
        var members: [Member]
        var leases: [Lease]
        struct Member: Decodable {
            var controller: String
            var address: String
            var heartbeatAge: Double
        }
        struct Lease: Decodable {
            var deployable: String
            var holder: String?
            var epoch: Int64
            var expiresIn: Double
        }
    }
}
