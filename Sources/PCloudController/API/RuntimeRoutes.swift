import Foundation
import Hummingbird
import PCloudModel

/// `/v1/deployables/NAME/{start,stop,reload,cleanup,maintenance}`: hand the request to the deployable's engine
/// and answer 202 with the status at that moment; clients follow events or poll status to wait.
struct RuntimeRoutes {
    let controller: Controller
    let engines: Engines

    func register<Context: RequestContext>(on router: Router<Context>) {
        let group = router.group("v1/deployables")
        group.post(":name/start") { _, context in
            let name = try context.parameters.require("name")
            try await engines.start(name)
            return try JSONBody.response(.accepted, try await controller.status(of: name))
        }
        group.post(":name/stop") { _, context in
            let name = try context.parameters.require("name")
            try await engines.stop(name)
            return try JSONBody.response(.accepted, try await controller.status(of: name))
        }
        group.post(":name/reload") { _, context in
            let name = try context.parameters.require("name")
            try await engines.reload(name)
            return try JSONBody.response(.accepted, try await controller.status(of: name))
        }
        group.post(":name/cleanup") { request, context in
            let name = try context.parameters.require("name")
            guard let text = request.uri.queryParameters["resource"].map(String.init) else {
                throw APIError(.badRequest, "cleanup needs ?resource=ASSEMBLY/RESOURCE", field: "resource")
            }
            guard let id = ResourceID(text) else {
                throw APIError(.badRequest, "resource must be ASSEMBLY/RESOURCE, got '\(text)'", field: "resource")
            }
            try await engines.cleanup(name, resource: id)
            return try JSONBody.response(.accepted, try await controller.status(of: name))
        }
        // ?element=ASSEMBLY[/RESOURCE] (none: the whole deployable), &for=30m (none: until DELETE).
        group.post(":name/maintenance") { request, context in
            let name = try context.parameters.require("name")
            let element = request.uri.queryParameters["element"].map(String.init) ?? ""
            var duration: Duration?
            if let text = request.uri.queryParameters["for"].map(String.init) {
                switch DurationText.read(text) {
                case .success(let value) where value > .zero: duration = value
                case .success: throw APIError(.badRequest, "for must be longer than 0s, got '\(text)'", field: "for")
                case .failure(let problem):
                    throw APIError(.badRequest, "for: " + DurationText.message(problem, text: text), field: "for")
                }
            }
            try await engines.maintenanceOn(name, element: element, for: duration)
            return try JSONBody.response(.accepted, try await controller.status(of: name))
        }
        group.delete(":name/maintenance") { request, context in
            let name = try context.parameters.require("name")
            let element = request.uri.queryParameters["element"].map(String.init) ?? ""
            try await engines.maintenanceOff(name, element: element)
            return try JSONBody.response(.accepted, try await controller.status(of: name))
        }
    }
}
