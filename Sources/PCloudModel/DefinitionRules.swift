/// The rules every definition obeys, checked on the built model, whatever it was read from: names
/// follow `NameRule`, types and providers are never paths, each class has what it needs, and every
/// duration is positive where it must be and at most `DurationText.maximum`.
///
/// The YAML readers apply the same rules field by field (so their errors point at the very line and
/// column); the original's XML import builds the model and runs these checks on it, and the YAML loader
/// runs them too on what it built, so nothing either path stores can break them.
public enum DefinitionRules {
    /// Where in a deployable a problem is.
    public enum Place: Sendable, Hashable {
        case deployable
        case assembly(Int)
        case resource(assembly: Int, resource: Int)
        /// A resource placed over several assemblies (the deployable's `resources:`).
        case placed(Int)
    }

    public struct Problem: Sendable, Equatable {
        public var place: Place
        /// The field inside that place, as YAML names it (`name`, `monitor.interval`, `parameters.port`).
        public var field: String
        public var message: String
    }

    public static func problems(in deployable: Deployable) -> [Problem] {
        var found: [Problem] = []
        func add(_ place: Place, _ list: [(String, String)]) {
            found += list.map { Problem(place: place, field: $0.0, message: $0.1) }
        }
        var own: [(String, String)] = []
        name(deployable.name, "name", &own)
        duration(deployable.monitor.interval, "monitor.interval", positive: true, &own)
        duration(deployable.monitor.timeout, "monitor.timeout", positive: true, &own)
        duration(deployable.monitor.keepalive, "monitor.keepalive", positive: true, &own)
        escalation(deployable.escalation, &own)
        add(.deployable, own)
        for (index, assembly) in deployable.assemblies.enumerated() {
            add(.assembly(index), problems(in: assembly))
            for (resourceIndex, resource) in assembly.resources.enumerated() {
                add(.resource(assembly: index, resource: resourceIndex), problems(in: resource))
            }
        }
        for (index, placed) in deployable.resources.enumerated() {
            add(.placed(index), problems(in: placed.resource))
        }
        return found
    }

    /// The assembly's own fields (not its resources): (field, message) pairs.
    public static func problems(in assembly: Assembly) -> [(field: String, message: String)] {
        var found: [(String, String)] = []
        name(assembly.name, "name", &found)
        if let image = assembly.image { name(image, "image", &found) }
        name(assembly.ssh.user, "ssh.user", &found)
        duration(assembly.agent.heartbeat, "agent.heartbeat", positive: true, &found)
        escalation(assembly.escalation, &found)
        return found.map { (field: $0.0, message: $0.1) }
    }

    public static func problems(in resource: Resource) -> [(field: String, message: String)] {
        var found: [(String, String)] = []
        name(resource.name, "name", &found)
        switch resource.resourceClass {
        case .exec:
            if (resource.commands?.monitor ?? "").isEmpty {
                found.append(("exec", "class exec needs 'exec' with at least a 'monitor' command"))
            }
        case .ocf:
            if resource.type.isEmpty { found.append(("type", "missing required field 'type'")) }
            if (resource.provider ?? "").isEmpty { found.append(("provider", "missing required field 'provider'")) }
        case .lsb, .systemd:
            if resource.type.isEmpty { found.append(("type", "missing required field 'type'")) }
        }
        if !resource.type.isEmpty, let problem = NameRule.agentProblem(resource.type, allowAt: true) {
            found.append(("type", problem))
        }
        if let provider = resource.provider, !provider.isEmpty, let problem = NameRule.agentProblem(provider, allowAt: false) {
            found.append(("provider", problem))
        }
        for parameter in resource.parameters {
            if let problem = NameRule.problem(parameter.name) {
                found.append(("parameters.\(NameRule.shown(parameter.name))", problem))
            }
            if case .reference(let reference) = parameter.value {
                name(reference.assembly, "parameters.\(parameter.name).ref.assembly", &found)
            }
        }
        duration(resource.monitor.interval, "monitor.interval", positive: true, &found)
        duration(resource.monitor.timeout, "monitor.timeout", positive: true, &found)
        duration(resource.startTimeout, "start-timeout", positive: true, &found)
        duration(resource.stopTimeout, "stop-timeout", positive: true, &found)
        if let expiry = resource.failureExpiry { duration(expiry, "failure-expiry", positive: true, &found) }
        if let backoff = resource.backoff {
            duration(backoff.base, "backoff.base", positive: true, &found)
            duration(backoff.cap, "backoff.cap", positive: true, &found)
        }
        escalation(resource.escalation, &found)
        return found.map { (field: $0.0, message: $0.1) }
    }

    /// What is wrong with `value` as a duration, or nil.
    public static func durationProblem(_ value: Duration, positive: Bool) -> String? {
        if value > DurationText.maximum {
            return "too long: a duration is at most \(DurationText.maximumText)"
        }
        if positive && value <= .zero { return "must be longer than 0s" }
        if value < .zero { return "must not be negative" }
        return nil
    }

    private static func name(_ text: String, _ field: String, _ found: inout [(String, String)]) {
        if let problem = NameRule.problem(text) { found.append((field, problem)) }
    }

    private static func duration(_ value: Duration, _ field: String, positive: Bool, _ found: inout [(String, String)]) {
        if let problem = durationProblem(value, positive: positive) { found.append((field, problem)) }
    }

    private static func escalation(_ limit: EscalationLimit?, _ found: inout [(String, String)]) {
        guard let limit else { return }
        duration(limit.period, "escalation.period", positive: false, &found)
    }
}
