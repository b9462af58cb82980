import Foundation

/// Reads a deployable from YAML. Assemblies are named (resolved from the Assemblies/ directory) or
/// written inline.
///
/// ```yaml
/// name: wordpress
/// uuid: 4b6f...                      # written back once when absent
/// infrastructure: {type: libvirt, uri: "qemu:///system"}   # | {type: openstack, cloud: NAME} | {type: static}
/// monitor: {method: ssh, interval: 3s, timeout: 5s, keepalive: 15s}   # method: ssh | agent
/// assemblies: [db, web]
/// ordering: [{first: db/mariadb, then: web/httpd}]
/// escalation: {failures: 2, period: 30m}
/// resources: [...]                  # placed over several assemblies: see PlacedResourceDecoding
/// hooks: {script: /var/lib/pcloud/hooks/wordpress.sh, webhook: "http://127.0.0.1:9000/events"}
/// ```
struct DeployableDecoding {
    static let keys = [
        "name", "uuid", "infrastructure", "monitor", "assemblies", "ordering", "escalation", "hooks",
        "description", "resources",
    ]
    let assemblies: AssemblyDecoding
    /// Resolves an assembly written by name.
    let namedAssembly: (String, YAMLField) -> Assembly?

    func decode(_ field: YAMLField, sites: DefinitionSites) -> Deployable? {
        guard let map = field.mapping(keys: Self.keys) else { return nil }
        let name = map.required("name")?.name()
        var deployable = Deployable(name: name ?? "")
        if let uuidField = map.optional("uuid"), let text = uuidField.string() {
            if let uuid = UUID(uuidString: text) {
                deployable.uuid = uuid
            } else {
                uuidField.error("'\(text)' is not a UUID (like 0f8fad5b-d9cb-469f-a165-70867728950e)")
            }
        }
        if let infrastructure = map.optional("infrastructure") {
            deployable.infrastructure = decodeInfrastructure(infrastructure) ?? deployable.infrastructure
        }
        if let monitor = map.optional("monitor") {
            deployable.monitor = decodeMonitor(monitor) ?? deployable.monitor
        }
        if let list = map.required("assemblies")?.sequence() {
            if list.isEmpty { map.fields["assemblies"]?.error("a deployable needs at least one assembly") }
            var seen: [String: Int] = [:]
            for item in list {
                let assembly: Assembly?
                if case .scalar = item.node {
                    assembly = item.name().flatMap { namedAssembly($0, item) }
                } else {
                    assembly = assemblies.decode(item, sites: sites)
                }
                guard let assembly else { continue }
                if let line = seen[assembly.name] {
                    item.error("assembly '\(assembly.name)' is listed twice (first at line \(line))")
                    continue
                }
                seen[assembly.name] = item.location.line
                sites.assemblies[assembly.name] = (item.location, item.path)
                deployable.assemblies.append(assembly)
            }
        }
        if let list = map.optional("resources")?.sequence() {
            deployable.resources = PlacedResourceDecoding(resources: assemblies.resources)
                .decode(list, assemblies: deployable.assemblies, sites: sites)
        }
        if let list = map.optional("ordering")?.sequence() {
            for item in list {
                guard let ordering = item.mapping(keys: ["first", "then"]) else { continue }
                let placed = deployable.resources.map(\.name)
                guard let first = ordering.required("first").flatMap({ resourceID($0, placed: placed) }),
                    let then = ordering.required("then").flatMap({ resourceID($0, placed: placed) })
                else { continue }
                let value = Ordering(first: first, then: then)
                sites.orderings.append(.init(ordering: value, location: item.location, path: item.path))
                deployable.ordering.append(value)
            }
        }
        if let escalation = map.optional("escalation") { deployable.escalation = EscalationDecoding.decode(escalation) }
        if let hooks = map.optional("hooks"), let hookMap = hooks.mapping(keys: ["script", "webhook"]) {
            if let script = hookMap.optional("script"), let path = script.string() {
                if path.hasPrefix("/") {
                    deployable.hooks.script = path
                } else {
                    script.error("the hook script must be an absolute path, got '\(path)'")
                }
            }
            if let webhook = hookMap.optional("webhook"), let url = webhook.string() {
                if let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil {
                    deployable.hooks.webhook = url
                } else {
                    webhook.error("expected an http:// or https:// URL, got '\(url)'")
                }
            }
        }
        return name == nil ? nil : deployable
    }

    /// `ASSEMBLY/RESOURCE`, or the bare name of one of the deployable's placed resources (all its instances).
    private func resourceID(_ field: YAMLField, placed: [String]) -> ResourceID? {
        guard let text = field.string() else { return nil }
        if placed.contains(text) { return ResourceID(placed: text) }
        guard let id = ResourceID(text) else {
            let also = placed.isEmpty ? "" : " or one of the deployable's resources (\(placed.joined(separator: ", ")))"
            field.error("expected ASSEMBLY/RESOURCE (like db/mariadb)\(also), got '\(text)'")
            return nil
        }
        return id
    }

    private func decodeInfrastructure(_ field: YAMLField) -> InfrastructureSettings? {
        guard let map = field.mapping(keys: ["type", "uri", "cloud", "flavor", "network"]) else { return nil }
        enum Kind: String, CaseIterable { case libvirt, openstack, `static` }
        guard let kind = map.required("type")?.choice(Kind.self) else { return nil }
        let allowed: [Kind: Set<String>] = [
            .libvirt: ["type", "uri"], .openstack: ["type", "cloud", "flavor", "network"],
            .static: ["type"],
        ]
        for key in map.order where !(allowed[kind]!.contains(key)) {
            map.fields[key]?.error("'\(key)' does not apply to \(kind.rawValue) infrastructure")
        }
        switch kind {
        case .libvirt:
            return .libvirt(uri: map.optional("uri")?.string() ?? "qemu:///system")
        case .openstack:
            return .openstack(
                cloud: map.optional("cloud")?.string(), flavor: map.optional("flavor")?.string(),
                network: map.optional("network")?.string())
        case .static:
            return .static
        }
    }

    private func decodeMonitor(_ field: YAMLField) -> MonitorSettings? {
        guard let map = field.mapping(keys: ["method", "interval", "timeout", "keepalive"]) else { return nil }
        var settings = MonitorSettings()
        if let method = map.optional("method")?.choice(MonitorSettings.Method.self) { settings.method = method }
        if let interval = map.optional("interval")?.positiveDuration() { settings.interval = interval }
        if let timeout = map.optional("timeout")?.positiveDuration() { settings.timeout = timeout }
        if let keepalive = map.optional("keepalive")?.positiveDuration() { settings.keepalive = keepalive }
        return settings
    }
}
