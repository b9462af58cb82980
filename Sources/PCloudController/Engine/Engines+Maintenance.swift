import PCloudModel
import PCloudPolicy

/// Maintenance (unmanaged) mode through the API: the element is checked against the definition,
/// the request handed to the started deployable's engine, which stores it with its runtime.
extension Engines {
    /// Puts `element` (`""` = the whole deployable, `ASSEMBLY`, `ASSEMBLY/RESOURCE`) into maintenance,
    /// for `duration` or until taken out.
    public func maintenanceOn(_ name: String, element text: String, for duration: Duration?) async throws {
        let element = try await checkedElement(name, text)
        guard let engine = running[name]?.engine else {
            try await refuseIfOwnedElsewhere(name)
            throw APIError(.conflict, "deployable '\(name)' is not started: there is nothing to leave unmanaged", field: "name")
        }
        let until = duration.map { controller.clock.now + $0.seconds }
        engine.send(.maintenanceOn(element, until: until))
    }

    public func maintenanceOff(_ name: String, element text: String) async throws {
        let element = try await checkedElement(name, text)
        guard let engine = running[name]?.engine else {
            try await refuseIfOwnedElsewhere(name)
            throw APIError(.conflict, "deployable '\(name)' is not started", field: "name")
        }
        guard await engine.snapshot().maintenanceWindows.contains(where: { $0.element == element }) else {
            throw APIError(.conflict, "\(describe(element, of: name)) is not in maintenance", field: "element")
        }
        engine.send(.maintenanceOff(element))
    }

    func checkedElement(_ name: String, _ text: String) async throws -> MaintenanceElement {
        let deployable = try await controller.deployable(named: name)
        guard let element = MaintenanceElement(text) else {
            throw APIError(.badRequest, "element must be ASSEMBLY or ASSEMBLY/RESOURCE, got '\(text)'", field: "element")
        }
        switch element {
        case .deployable: break
        case .assembly(let assembly):
            guard deployable.assembly(named: assembly) != nil else {
                throw APIError(.notFound, "deployable '\(name)' has no assembly \(assembly)", field: "element")
            }
        case .resource(let id):
            guard deployable.resourceDefinition(for: id) != nil else {
                throw APIError(.notFound, "deployable '\(name)' has no resource \(id)", field: "element")
            }
        }
        return element
    }

    nonisolated func describe(_ element: MaintenanceElement, of name: String) -> String {
        element == .deployable ? "deployable '\(name)'" : "\(element) of deployable '\(name)'"
    }
}
