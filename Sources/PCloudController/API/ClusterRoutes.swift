import Foundation
import Hummingbird
import PCloudStore

/// `GET /v1/cluster`: the controllers sharing this store (heartbeat age, address), who owns which
/// deployable (holder, epoch, seconds left on the lease), and which controller answered. With
/// SQLite there is one controller and no leases: `mode` says `single`.
struct ClusterRoutes {
    let controller: Controller
    let engines: Engines

    struct View: Encodable {
        var mode: String
        var controller: String?
        var members: [ClusterMember]
        var leases: [DeployableLease]
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("v1/cluster") { _, _ in
            guard let cluster = engines.cluster else {
                return try JSONBody.response(View(mode: "single", controller: nil, members: [], leases: []))
            }
            return try JSONBody.response(
                View(
                    mode: "cluster", controller: cluster.controller, members: try await controller.store.members(),
                    leases: try await controller.store.leases()))
        }
    }
}
