import PCloudAMQP
import PCloudModel

/// The resources the agent watches by itself, one task each, pushing each change at once:
/// - those agent.json lists (an operator's own host), from boot and always;
/// - each other resource a request found or left running, when the controller asked for that
///   (`monitor_interval`), with the parameters it gave, until a request stops it. So a resource
///   the controller stopped or moved away is not reported, and one whose parameters the controller
///   fills in at run time (another assembly's address) is watched as it really runs.
actor LocalMonitors {
    private let configured: Set<String>
    private var watches: [String: (resource: AgentConfig.MonitoredResource, task: Task<Void, Never>)] = [:]
    private let loop: @Sendable (AgentConfig.MonitoredResource) async -> Void

    /// `loop` runs one resource's monitor until cancelled.
    init(configured: [AgentConfig.MonitoredResource], loop: @escaping @Sendable (AgentConfig.MonitoredResource) async -> Void) {
        self.configured = Set(configured.map(\.spec.name))
        self.loop = loop
        for resource in configured {
            watches[resource.spec.name] = (resource, Task { await loop(resource) })
        }
    }

    /// What a request's result changes; returns a line for the agent's log when something did.
    func update(after action: ResourceAction, of request: AgentRequest, code: OCFExitCode) -> String? {
        let name = request.resource.name
        guard !configured.contains(name) else { return nil }
        switch action {
        case .stop where code == .ok:
            guard let watch = watches.removeValue(forKey: name) else { return nil }
            watch.task.cancel()
            return "\(name): no longer watched (stopped)"
        case .start, .probe, .monitor:
            guard let interval = request.monitorInterval, code == .ok || code == .runningPromoted else { return nil }
            let resource = AgentConfig.MonitoredResource(
                spec: request.resource, interval: interval, timeout: request.timeout ?? 20)
            if let current = watches[name] {
                // The controller's recurring monitors keep asking: a watch as it is stays as it is.
                if current.resource.spec == resource.spec && current.resource.interval == interval { return nil }
                current.task.cancel()
            }
            let loop = loop
            watches[name] = (resource, Task { await loop(resource) })
            return "\(name): watched every \(interval)s"
        default:
            return nil
        }
    }
}
