import Foundation
import Hummingbird
import PCloudModel
import PCloudStore

/// `/v1/deployables`: list, show, status, create from YAML, delete (refused while started).
struct DeployableRoutes {
    let controller: Controller
    let engines: Engines

    func register<Context: RequestContext>(on router: Router<Context>) {
        let group = router.group("v1/deployables")
        group.get { _, _ in
            try JSONBody.response(try await controller.store.deployableSummariesAsync())
        }
        group.get(":name") { _, context in
            let name = try context.parameters.require("name")
            return try JSONBody.response(YAMLExportView(try await controller.deployable(named: name)))
        }
        group.get(":name/status") { _, context in
            try JSONBody.response(try await controller.status(of: try context.parameters.require("name")))
        }
        group.post { request, context in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            // Never String(buffer:): it would turn bytes that are not UTF-8 into text and echo them in errors.
            guard let text = String(validating: body.readableBytesView, as: UTF8.self) else {
                throw APIError(.unprocessableContent, "the request body is not UTF-8 text", field: "body")
            }
            let replace = request.uri.queryParameters["replace"].map { $0 == "true" || $0 == "1" } ?? false
            let stored = try await controller.importDeployable(yaml: text, replace: replace)
            return try JSONBody.response(.created, ["name": stored.name, "uuid": stored.uuid?.uuidString.lowercased() ?? ""])
        }
        group.delete(":name") { _, context in
            try await engines.delete(try context.parameters.require("name"))
            return Response(status: .noContent)
        }
    }
}

/// A deployable as JSON: its YAML export plus the fields people filter on.
struct YAMLExportView: Encodable {
    var name: String
    var uuid: String?
    var infrastructure: String
    var monitor: String
    var assemblies: [String]
    var yaml: String

    init(_ deployable: Deployable) {
        name = deployable.name
        uuid = deployable.uuid?.uuidString.lowercased()
        infrastructure = deployable.infrastructure.kind
        monitor = deployable.monitor.method.rawValue
        assemblies = deployable.assemblies.map(\.name)
        yaml = YAMLExport.yaml(deployable)
    }
}
