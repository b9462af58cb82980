import PCloudModel
import PCloudPolicy

/// The random world's operator puts elements into maintenance and takes them out again (some run
/// out by themselves); the world checks that nothing is ever done to what is unmanaged.
extension RandomWorld {
    /// Mostly the ordinary moves; one in thirteen toggles maintenance on an element.
    mutating func maintenanceMove(_ choice: Int) {
        if choice % 13 == 0 { toggleMaintenance(choice / 13) } else { move(choice) }
    }

    mutating func toggleMaintenance(_ choice: Int) {
        let elements: [MaintenanceElement] =
            [.deployable] + scenario.policy.deployable.assemblies.map { .assembly($0.name) }
            + scenario.runtime.resources.keys.sorted().map { .resource($0) }
        let element = elements[choice % elements.count]
        var windows = maintained ?? [:]
        if windows[element] != nil {
            windows[element] = nil
            maintained = windows
            feed(.maintenanceOff(element))
        } else {
            let until: Double? = choice % 3 == 0 ? scenario.now + Double(choice % 20) : nil
            windows[element] = .some(until)
            maintained = windows
            feed(.maintenanceOn(element, until: until))
        }
    }

    /// Windows that ran out by now (the policy ends them before it plans anything at the same time).
    mutating func expireMaintained() {
        guard let windows = maintained else { return }
        maintained = windows.filter { _, until in until.map { $0 > scenario.now } ?? true }
    }

    func unmanaged(assembly: String) -> Bool {
        maintained.map { $0[.deployable] != nil || $0[.assembly(assembly)] != nil } ?? false
    }

    func unmanaged(_ id: ResourceID) -> Bool {
        unmanaged(assembly: id.assembly) || maintained?[.resource(id)] != nil
    }

    /// Fencing, stopping or restarting the assembly would reach something unmanaged.
    func held(assembly: String) -> Bool {
        unmanaged(assembly: assembly)
            || maintained?.keys.contains {
                if case .resource(let id) = $0 { return id.assembly == assembly }
                return false
            } == true
    }

    mutating func checkMaintenance(_ action: PlannedAction) {
        guard let windows = maintained, !windows.isEmpty else { return }
        switch action.step {
        case .start(let id, _), .stop(let id, _), .restartResource(let id), .reconfigure(let id):
            if unmanaged(id) { violations.append("acted on unmanaged \(id): \(action)") }
        case .startAssembly(let name):
            if unmanaged(assembly: name) { violations.append("started unmanaged assembly \(name): \(action)") }
        case .fenceAssembly(let name), .stopAssembly(let name), .restartAssembly(let name):
            if held(assembly: name) { violations.append("reached into maintenance through assembly \(name): \(action)") }
        case .restartDeployable, .deployableFailed:
            violations.append("escalated to the deployable while \(windows.keys.sorted()) in maintenance: \(action)")
        default: break
        }
    }
}
