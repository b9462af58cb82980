import PCloudModel
import PCloudPolicy
import PCloudStore

/// Every decision and action as an event; results worth reading as events too. Recurring monitor
/// successes and monitor cancellations are not events (they would drown the rest).
enum EngineEvents {
    static func events(
        for input: PolicyInput, _ actions: [PlannedAction], deployable: String, runtime: DeployableRuntime, at now: Double,
        fencingSwitchesOff: Bool = true
    ) -> [StoredEvent] {
        var events: [StoredEvent] = []
        if let (assembly, resource, kind, message) = describe(input, runtime, fencingSwitchesOff: fencingSwitchesOff) {
            events.append(
                StoredEvent(at: now, deployable: deployable, assembly: assembly, resource: resource, kind: kind, message: message)
            )
        }
        for action in actions {
            guard let (kind, severity, assembly, resource) = classify(action.step) else { continue }
            var data: String?
            if case .report(let state) = action.step { data = #"{"state":"\#(state.rawValue)"}"# }
            events.append(
                StoredEvent(
                    at: now, deployable: deployable, assembly: assembly, resource: resource, kind: kind, severity: severity,
                    message: action.reason, data: data))
        }
        return events
    }

    static func describe(
        _ input: PolicyInput, _ runtime: DeployableRuntime, fencingSwitchesOff: Bool = true
    ) -> (String?, String?, String, String)? {
        switch input {
        case .start: return (nil, nil, "deployable.start", "the operator started the deployable")
        case .stop: return (nil, nil, "deployable.stop", "the operator stopped the deployable")
        case .assemblyStarted(let name, let address, _):
            return (
                name, nil, "assembly.started",
                "assembly \(name) is up" + (address.map { " at \($0)" } ?? "") + "; waiting to reach it"
            )
        case .assemblyReachable(let name): return (name, nil, "assembly.reachable", "assembly \(name) is reachable")
        case .assemblyFenced(let name) where !fencingSwitchesOff:
            return (
                name, nil, "assembly.fenced",
                "assembly \(name) is a static host, which pcloud cannot switch off: its session was dropped and it is "
                    + "treated as off, but nothing was powered off"
            )
        case .assemblyFenced(let name): return (name, nil, "assembly.fenced", "assembly \(name) is confirmed off")
        case .assemblyStopped(let name): return (name, nil, "assembly.stopped", "assembly \(name) is shut down")
        case .operationCompleted(let id, let action, let code, _, let detail) where action != .monitor:
            let outcome = code == .ok ? "ok" : "\(code.reason) (rc \(code.rawValue))" + (detail.map { ": \($0)" } ?? "")
            return (id.assembly, id.resource, "resource.\(action.rawValue)-result", "\(action.rawValue) of \(id): \(outcome)")
        case .cleanup(let id): return (id.assembly, id.resource, "resource.cleanup", "the operator cleaned up \(id)")
        default: return nil
        }
    }

    static func classify(_ step: Step) -> (String, StoredEvent.Severity, String?, String?)? {
        switch step {
        case .restartResource(let id): ("resource.restart", .warning, id.assembly, id.resource)
        case .restartAssembly(let name): ("assembly.restart", .warning, name, nil)
        case .restartDeployable: ("deployable.restart", .warning, nil, nil)
        case .reconfigure(let id): ("resource.reconfigure", .info, id.assembly, id.resource)
        case .failureIgnored(let id): ("resource.failure-ignored", .warning, id.assembly, id.resource)
        case .deployableFailed: ("deployable.failed", .error, nil, nil)
        case .startAssembly(let name): ("assembly.start", .info, name, nil)
        case .fenceAssembly(let name): ("assembly.fence", .warning, name, nil)
        case .stopAssembly(let name): ("assembly.stop", .info, name, nil)
        case .probe(let id, _): ("resource.probe", .info, id.assembly, id.resource)
        case .start(let id, _): ("resource.start", .info, id.assembly, id.resource)
        case .stop(let id, _): ("resource.stop", .info, id.assembly, id.resource)
        case .scheduleMonitor(let id, _): ("resource.monitor", .info, id.assembly, id.resource)
        case .markUnrecoverable(let id): ("resource.unrecoverable", .error, id.assembly, id.resource)
        case .block(let id): ("resource.blocked", .error, id.assembly, id.resource)
        case .awaitInterrupted(let id): ("resource.interrupted", .warning, id.assembly, id.resource)
        case .report: ("deployable.state", .info, nil, nil)
        case .stopMonitoring: ("deployable.monitoring-stopped", .info, nil, nil)
        case .hostKeyRefused(let name): ("assembly.problem", .error, name, nil)
        case .maintenanceOn(let element): ("maintenance.on", .info, element.assembly, element.resource)
        case .maintenanceOff(let element): ("maintenance.off", .info, element.assembly, element.resource)
        case .maintenanceExpired(let element): ("maintenance.expired", .info, element.assembly, element.resource)
        case .unmanagedFailure(let element): ("maintenance.failure-reported", .warning, element.assembly, element.resource)
        case .adopted(let id): ("resource.adopted", .info, id.assembly, id.resource)
        case .cancelMonitor: nil
        }
    }
}

extension MaintenanceElement {
    /// The assembly and resource an event about it names (none for the whole deployable).
    var assembly: String? {
        switch self {
        case .deployable: nil
        case .assembly(let name): name
        case .resource(let id): id.assembly
        }
    }

    var resource: String? {
        if case .resource(let id) = self { return id.resource }
        return nil
    }
}
