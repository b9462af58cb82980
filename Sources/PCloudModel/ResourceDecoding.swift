/// Reads a resource (or a resource template) from YAML.
///
/// ```yaml
/// - name: httpd
///   template: httpd          # optional: start from Assemblies/templates/httpd.yaml
///   class: systemd           # ocf | lsb | systemd | exec
///   type: apache2
///   provider: heartbeat      # ocf only
///   parameters: {db_host: {ref: {assembly: db, parameter: ipaddress}}, port: 8080}
///   exec: {monitor: "pgrep -x nginx", start: "nginx", stop: "nginx -s stop"}   # exec only
///   monitor: {interval: 10s, timeout: 20s}
///   start-timeout: 20s
///   stop-timeout: 20s
///   on-fail: restart         # restart | ignore | stop | block | escalate
///   stop-on-fail: fence      # fence | block: what a failed stop leads to
///   escalation: {failures: 3, period: 60s}
///   failure-expiry: 10m
///   backoff: {base: 1s, cap: 1m}
/// ```
struct ResourceDecoding {
    static let keys = [
        "name", "template", "class", "type", "provider", "parameters", "exec", "monitor",
        "start-timeout", "stop-timeout", "on-fail", "stop-on-fail", "escalation", "failure-expiry", "backoff",
        "description",
    ]

    enum StopOnFail: String, CaseIterable { case fence, block }

    /// What looking a template up found.
    enum TemplateLookup {
        case found(Resource)
        case missing
        /// The template file exists but has errors of its own (located in that file).
        case invalid(DefinitionErrors)
    }

    /// Where templates come from when a resource names one.
    let templates: (String) -> TemplateLookup
    let templateNames: () -> [String]

    /// Reads one resource. `defaultName` is used for templates, whose name is given when added.
    /// `extraKeys` are allowed too and handed to `extra` (the placement fields of a deployable's resources).
    func decode(
        _ field: YAMLField, defaultName: String? = nil, sites: DefinitionSites, extraKeys: [String] = [],
        extra: (YAMLMapping) -> Void = { _ in }
    ) -> Resource? {
        guard let map = field.mapping(keys: Self.keys + extraKeys) else { return nil }
        extra(map)
        var base: Resource?
        if let templateField = map.optional("template") {
            guard let templateName = templateField.name() else { return nil }
            switch templates(templateName) {
            case .found(let template):
                base = template
            case .missing:
                let known = templateNames()
                templateField.error(
                    "no resource template '\(templateName)'\(DidYouMean.hint(for: templateName, among: known)); templates: \(known.joined(separator: ", "))"
                )
                return nil
            case .invalid(let errors):
                errors.errors.forEach(templateField.diagnostics.report)
                templateField.error("resource template '\(templateName)' has errors of its own (in \(templateName).yaml)")
                return nil
            }
        }
        let name = defaultName.map { name in map.optional("name")?.name() ?? name } ?? map.required("name")?.name()
        let resourceClass = map.optional("class")?.choice(ResourceClass.self) ?? base?.resourceClass
        if resourceClass == nil && map.optional("class") == nil { _ = map.required("class") }
        let type = map.optional("type")?.agentName(allowAt: true) ?? base?.type
        let provider = map.optional("provider")?.agentName(allowAt: false) ?? base?.provider
        let commands = map.optional("exec").flatMap(decodeExec) ?? base?.commands

        if let resourceClass {
            switch resourceClass {
            case .exec:
                if commands == nil && map.optional("exec") == nil {
                    map.field.error("class exec needs 'exec' with at least a 'monitor' command")
                }
            case .ocf:
                if type == nil && map.optional("type") == nil { _ = map.required("type") }
                if provider == nil && map.optional("provider") == nil { _ = map.required("provider") }
            case .lsb, .systemd:
                if type == nil && map.optional("type") == nil { _ = map.required("type") }
            }
            if resourceClass != .exec, let execField = map.optional("exec") {
                execField.error("'exec' commands are only for class exec (this resource is class \(resourceClass.rawValue))")
            }
            if resourceClass != .ocf, let providerField = map.optional("provider") {
                providerField.error("'provider' is only for class ocf (this resource is class \(resourceClass.rawValue))")
            }
        }

        var parameters = base?.parameters ?? []
        if let parametersField = map.optional("parameters") {
            for parameter in ParameterDecoding.decode(parametersField, sites: sites) {
                if let index = parameters.firstIndex(where: { $0.name == parameter.name }) {
                    parameters[index] = parameter
                } else {
                    parameters.append(parameter)
                }
            }
        }
        let monitor = map.optional("monitor").flatMap(decodeMonitor) ?? base?.monitor ?? .defaultMonitor
        let startTimeout = map.optional("start-timeout")?.positiveDuration() ?? base?.startTimeout ?? .seconds(20)
        let stopTimeout = map.optional("stop-timeout")?.positiveDuration() ?? base?.stopTimeout ?? .seconds(20)
        let onFail = map.optional("on-fail")?.choice(OnFail.self) ?? base?.onFail ?? .restart
        let stopOnFail = map.optional("stop-on-fail").map { $0.choice(StopOnFail.self) == .block ? OnFail.block : nil }
        let escalation = map.optional("escalation").map(EscalationDecoding.decode) ?? base?.escalation ?? nil
        let expiry = map.optional("failure-expiry")?.positiveDuration() ?? base?.failureExpiry
        let backoff = map.optional("backoff").flatMap(decodeBackoff) ?? base?.backoff

        guard let name, let resourceClass else { return nil }
        var resource = Resource(
            name: name, resourceClass: resourceClass, type: type ?? "", provider: provider,
            parameters: parameters, commands: commands, monitor: monitor, startTimeout: startTimeout,
            stopTimeout: stopTimeout, onFail: onFail, escalation: escalation,
            failureExpiry: expiry, backoff: backoff)
        resource.stopOnFail = stopOnFail ?? base?.stopOnFail
        return resource
    }

    private func decodeExec(_ field: YAMLField) -> ExecCommands? {
        guard let map = field.mapping(keys: ["monitor", "start", "stop"]) else { return nil }
        guard let monitor = map.required("monitor")?.string() else { return nil }
        return ExecCommands(monitor: monitor, start: map.optional("start")?.string(), stop: map.optional("stop")?.string())
    }

    private func decodeMonitor(_ field: YAMLField) -> OperationTiming? {
        guard let map = field.mapping(keys: ["interval", "timeout"]) else { return nil }
        let interval = map.optional("interval")?.positiveDuration() ?? OperationTiming.defaultMonitor.interval
        let timeout = map.optional("timeout")?.positiveDuration() ?? OperationTiming.defaultMonitor.timeout
        return OperationTiming(interval: interval, timeout: timeout)
    }

    private func decodeBackoff(_ field: YAMLField) -> RestartBackoff? {
        guard let map = field.mapping(keys: ["base", "cap"]) else { return nil }
        guard let base = map.required("base")?.positiveDuration(), let cap = map.required("cap")?.positiveDuration()
        else { return nil }
        guard cap >= base else {
            map.fields["cap"]?.error(
                "cap (\(DurationText.format(cap))) must not be shorter than base (\(DurationText.format(base)))")
            return nil
        }
        return RestartBackoff(base: base, cap: cap)
    }
}

/// `escalation: {failures: 3, period: 60s}`; `failures: 0` or `never` switches escalation off.
enum EscalationDecoding {
    static func decode(_ field: YAMLField) -> EscalationLimit? {
        if case .scalar = field.node, let text = field.string() {
            if ["never", "infinity"].contains(text.lowercased()) { return nil }
            field.error("expected a mapping {failures: N, period: DURATION} or 'never', got '\(text)'")
            return nil
        }
        guard let map = field.mapping(keys: ["failures", "period"]) else { return nil }
        guard let failures = map.required("failures")?.int(in: 0...10_000) else { return nil }
        guard let period = map.required("period")?.duration() else { return nil }
        guard failures > 0, period > .zero else { return nil }
        return EscalationLimit(failures: failures, period: period)
    }
}

/// `parameters:` as a mapping of name to value or `{ref: {assembly: A, parameter: ipaddress|hostname}}`.
enum ParameterDecoding {
    static func decode(_ field: YAMLField, sites: DefinitionSites) -> [Parameter] {
        guard case .mapping(let mapping) = field.node else {
            field.error("expected a mapping of parameter names to values, got \(field.shape)")
            return []
        }
        var seen = Set<String>()
        var parameters: [Parameter] = []
        for (keyNode, valueNode) in mapping {
            let name = keyNode.string ?? "?"
            let value = field.child(valueNode, key: name)
            if let problem = NameRule.problem(name) {
                field.child(keyNode, key: name).error(problem)
                continue
            }
            guard seen.insert(name).inserted else {
                field.child(keyNode, key: name).error("parameter '\(name)' is given twice")
                continue
            }
            if case .mapping = valueNode {
                guard let reference = decodeReference(value) else { continue }
                sites.references.append(.init(reference: reference, location: value.location, path: value.path))
                parameters.append(Parameter(name: name, value: .reference(reference)))
            } else if case .scalar = valueNode, let text = value.string() {
                parameters.append(Parameter(name: name, value: .literal(text)))
            } else if case .sequence = valueNode {
                value.error("expected a value or {ref: {assembly: NAME, parameter: ipaddress|hostname}}, got a list")
            }
        }
        return parameters
    }

    static func decodeReference(_ field: YAMLField) -> ParameterReference? {
        guard let outer = field.mapping(keys: ["ref"]), let refField = outer.required("ref"),
            let ref = refField.mapping(keys: ["assembly", "parameter"])
        else { return nil }
        guard let assembly = ref.required("assembly")?.name(),
            let parameter = ref.required("parameter")?.choice(RuntimeParameter.self)
        else { return nil }
        return ParameterReference(assembly: assembly, parameter: parameter)
    }
}
