import PCloudModel

/// Maintenance (unmanaged) mode: an element the operator works on by hand is still monitored and its
/// state and failures reported, but nothing starts, stops, restarts or fences it, and no escalation
/// passes through it. Leaving maintenance (by the operator or when it runs out) probes what it
/// covered again first; what the probes find is then acted on, with that reason.
extension Plan {
    mutating func maintenanceOn(_ element: MaintenanceElement, until: Double?) {
        var windows = runtime.maintenance ?? []
        if let index = windows.firstIndex(where: { $0.element == element }) {
            windows[index].until = until
        } else {
            windows.append(MaintenanceWindow(element: element, since: now, until: until))
        }
        runtime.maintenance = windows
        let span = until.map { " for \(Self.span($0 - now))" } ?? ""
        add(
            .maintenanceOn(element),
            "the operator put \(label(element)) into maintenance\(span): it is still monitored and its state and failures "
                + "reported, but pcloud starts, stops, restarts and fences nothing it covers, nor escalates through it")
    }

    mutating func maintenanceOff(_ element: MaintenanceElement) {
        guard runtime.inMaintenance(element) else { return }
        end(
            element, .maintenanceOff(element),
            "the operator took \(label(element)) out of maintenance: what it covers is probed again, then managed")
    }

    /// Windows whose time ran out end before anything else is planned.
    mutating func expireMaintenance() {
        guard let windows = runtime.maintenance else { return }
        for window in windows.sorted(by: { $0.element < $1.element }) {
            guard let until = window.until, until <= now else { continue }
            end(
                window.element, .maintenanceExpired(window.element),
                "the maintenance of \(label(window.element)) ran out (it was set for \(Self.span(until - window.since))): "
                    + "what it covers is probed again, then managed")
        }
    }

    /// Ends one window; the resources it alone covered are probed again before anything is done to them.
    mutating func end(_ element: MaintenanceElement, _ step: Step, _ reason: String) {
        let covered = policy.order.filter { runtime.isUnmanaged($0) }
        runtime.maintenance?.removeAll { $0.element == element }
        if runtime.maintenance?.isEmpty == true { runtime.maintenance = nil }
        add(step, reason)
        for id in covered where !runtime.isUnmanaged(id) {
            cancelMonitor(id, "\(id) left maintenance")
            guard var resource = runtime.resources[id], resource.pending == nil, !resource.state.isParked else { continue }
            resource.state = .unknown
            resource.leftMaintenance = true
            runtime.resources[id] = resource
        }
    }

    /// The result of an operation on an unmanaged resource: the state it shows, a failure reported
    /// once (when it stops running), nothing done about it.
    mutating func unmanagedResult(
        _ id: ResourceID, _ action: ResourceAction, _ code: OCFExitCode, _ what: String, _ detail: String?
    ) {
        guard let state = runtime.resources[id]?.state else { return }
        if code == .ok {
            if action == .stop {
                runtime.resources[id]?.state = .stopped
            } else if state != .running {
                becomeRunning(id)
            }
            return
        }
        if action == .probe, code == .notRunning {
            runtime.resources[id]?.state = .stopped
            return
        }
        if action == .monitor, state != .running { return }  // reported when it stopped running
        recordFailure(id, action, code, detail)
        runtime.resources[id]?.state = code == .notRunning ? .stopped : .failed
        let why = "\(action.rawValue) of \(id) failed: \(what)"
        runtime.resources[id]?.lastReason = why + " (unmanaged)"
        add(
            .unmanagedFailure(.resource(id)),
            why + "; \(id) is unmanaged (\(label(holder(of: id))) is in maintenance): reported, nothing is done about it")
    }

    /// A guest held by maintenance that answers again after it was lost (rebooted by hand): running
    /// again, its resources probed afresh. Nothing was fenced meanwhile.
    mutating func heldAssemblyBack(_ name: String, bootID: String?) {
        runtime.assemblies[name]?.state = .running
        runtime.assemblies[name]?.bootID = bootID
        runtime.assemblies[name]?.lastReason = nil
        for id in resources(of: name) {
            cancelMonitor(id, "assembly \(name) answers again")
            guard var resource = runtime.resources[id], resource.pending == nil, !resource.state.isParked else { continue }
            resource.state = .unknown
            runtime.resources[id] = resource
        }
    }

    /// The window that makes a resource unmanaged (the narrowest).
    func holder(of id: ResourceID) -> MaintenanceElement {
        if runtime.inMaintenance(.resource(id)) { return .resource(id) }
        if runtime.inMaintenance(.assembly(id.assembly)) { return .assembly(id.assembly) }
        return .deployable
    }

    func label(_ element: MaintenanceElement) -> String {
        element == .deployable ? "deployable \(deployableName)" : element.description
    }

    static func span(_ seconds: Double) -> String {
        DurationText.format(.milliseconds(Int64((min(max(0, seconds), 1e12) * 1000).rounded())))
    }
}
