import Foundation

/// Writes a deployable as self-contained YAML (assemblies inline) that `DefinitionLoader` reads back to
/// the same value: the form of `pcloudsh deployable_export`.
public enum YAMLExport {
    public static func yaml(_ deployable: Deployable) -> String {
        var out = "name: \(scalar(deployable.name))\n"
        if let uuid = deployable.uuid { out += "uuid: \(uuid.uuidString.lowercased())\n" }
        switch deployable.infrastructure {
        case .libvirt(let uri): out += "infrastructure: {type: libvirt, uri: \(scalar(uri))}\n"
        case .openstack(let cloud, let flavor, let network):
            let fields = [("cloud", cloud), ("flavor", flavor), ("network", network)]
                .compactMap { key, value in value.map { "\(key): \(scalar($0))" } }
            out += "infrastructure: {\((["type: openstack"] + fields).joined(separator: ", "))}\n"
        case .static: out += "infrastructure: {type: static}\n"
        }
        let m = deployable.monitor
        out +=
            "monitor: {method: \(m.method.rawValue), interval: \(d(m.interval)), timeout: \(d(m.timeout)), keepalive: \(d(m.keepalive))}\n"
        if let escalation = deployable.escalation { out += "escalation: \(limit(escalation))\n" }
        if deployable.hooks.script != nil || deployable.hooks.webhook != nil {
            let fields = [("script", deployable.hooks.script), ("webhook", deployable.hooks.webhook)]
                .compactMap { key, value in value.map { "\(key): \(scalar($0))" } }
            out += "hooks: {\(fields.joined(separator: ", "))}\n"
        }
        if !deployable.ordering.isEmpty {
            out += "ordering:\n"
            for ordering in deployable.ordering { out += "  - {first: \(ordering.first), then: \(ordering.then)}\n" }
        }
        out += "assemblies:\n"
        for assembly in deployable.assemblies { out += self.assembly(assembly, indent: "  ") }
        if !deployable.resources.isEmpty {
            out += "resources:\n"
            for placed in deployable.resources { out += resource(placed.resource, indent: "  ", extra: placement(placed)) }
        }
        return out
    }

    static func assembly(_ assembly: Assembly, indent: String) -> String {
        var lines = ["name: \(scalar(assembly.name))"]
        if let uuid = assembly.uuid { lines.append("uuid: \(uuid.uuidString.lowercased())") }
        if let image = assembly.image { lines.append("image: \(scalar(image))") }
        lines.append("memory: \(assembly.memoryMiB)")
        lines.append("vcpus: \(assembly.vcpus)")
        if let address = assembly.address { lines.append("address: \(scalar(address))") }
        var ssh = "ssh: {user: \(scalar(assembly.ssh.user)), port: \(assembly.ssh.port)"
        if let key = assembly.ssh.hostKey { ssh += ", host-key: \(scalar(key))" }
        lines.append(ssh + "}")
        lines.append("agent: {heartbeat: \(d(assembly.agent.heartbeat)), missed-heartbeats: \(assembly.agent.missedHeartbeats)}")
        if let escalation = assembly.escalation { lines.append("escalation: \(limit(escalation))") }
        if assembly.resources.isEmpty { lines.append("resources: []") } else { lines.append("resources:") }
        var out = "\(indent)- " + lines.joined(separator: "\n\(indent)  ") + "\n"
        for resource in assembly.resources { out += self.resource(resource, indent: indent + "    ") }
        return out
    }

    static func placement(_ placed: PlacedResource) -> [String] {
        var lines = ["over: [\(placed.over.map(scalar).joined(separator: ", "))]"]
        if let clone = placed.clone {
            lines.append(
                "clone: {name: \(scalar(clone.name)), max: \(clone.max), per-assembly-max: \(clone.perAssemblyMax), "
                    + "globally-unique: \(clone.globallyUnique)}")
        }
        lines.append("stickiness: \(placed.stickiness >= PlacedResource.infinity ? "INFINITY" : "\(placed.stickiness)")")
        lines.append("migration-threshold: \(placed.migrationThreshold.map { "\($0)" } ?? "INFINITY")")
        return lines
    }

    static func resource(_ resource: Resource, indent: String, extra: [String] = []) -> String {
        var lines = ["name: \(scalar(resource.name))", "class: \(resource.resourceClass.rawValue)"]
        if resource.resourceClass != .exec { lines.append("type: \(scalar(resource.type))") }
        if let provider = resource.provider { lines.append("provider: \(scalar(provider))") }
        if let commands = resource.commands {
            let fields = [("monitor", commands.monitor as String?), ("start", commands.start), ("stop", commands.stop)]
                .compactMap { key, value in value.map { "\(key): \(scalar($0))" } }
            lines.append("exec: {\(fields.joined(separator: ", "))}")
        }
        if !resource.parameters.isEmpty {
            lines.append("parameters:")
            for parameter in resource.parameters {
                switch parameter.value {
                case .literal(let value): lines.append("  \(parameter.name): \(scalar(value))")
                case .reference(let ref):
                    lines.append(
                        "  \(parameter.name): {ref: {assembly: \(scalar(ref.assembly)), parameter: \(ref.parameter.rawValue)}}")
                }
            }
        }
        lines.append("monitor: {interval: \(d(resource.monitor.interval)), timeout: \(d(resource.monitor.timeout))}")
        lines.append("start-timeout: \(d(resource.startTimeout))")
        lines.append("stop-timeout: \(d(resource.stopTimeout))")
        lines.append("on-fail: \(resource.onFail.rawValue)")
        if resource.stopOnFail == .block { lines.append("stop-on-fail: block") }
        if let escalation = resource.escalation { lines.append("escalation: \(limit(escalation))") }
        if let expiry = resource.failureExpiry { lines.append("failure-expiry: \(d(expiry))") }
        if let backoff = resource.backoff { lines.append("backoff: {base: \(d(backoff.base)), cap: \(d(backoff.cap))}") }
        lines += extra
        return "\(indent)- " + lines.joined(separator: "\n\(indent)  ") + "\n"
    }

    private static func limit(_ limit: EscalationLimit) -> String {
        "{failures: \(limit.failures), period: \(d(limit.period))}"
    }

    private static func d(_ duration: Duration) -> String { DurationText.format(duration) }

    /// A YAML scalar, double-quoted (JSON-style escapes) unless it is a plain safe word.
    static func scalar(_ text: String) -> String {
        let plainSafe =
            !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
            && !["true", "false", "yes", "no", "on", "off", "null", "~"].contains(text.lowercased())
            && Double(text) == nil && Int(text) == nil
        if plainSafe { return text }
        var escaped = "\""
        for character in text.unicodeScalars {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            default:
                if character.value < 0x20 {
                    escaped += String(format: "\\x%02x", character.value)
                } else {
                    escaped.unicodeScalars.append(character)
                }
            }
        }
        return escaped + "\""
    }
}
