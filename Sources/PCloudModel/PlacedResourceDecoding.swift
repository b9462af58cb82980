/// Reads a deployable's `resources:`: resources placed over several assemblies, checked against the
/// deployable's assemblies as they are read (so every error points at its field).
///
/// ```yaml
/// resources:
///   - name: ClusterIP            # any resource field (class, type, parameters, template, on-fail...)
///     template: ipaddr2
///     over: [a, b]               # the assemblies it may run on, in preference order
///     clone: {name: CloneIP, max: 33, per-assembly-max: 33, globally-unique: true}   # absent: floating
///     stickiness: INFINITY       # 0 (default): go back to the preferred assembly; > 0: stay
///     migration-threshold: 1     # failures on one assembly before it is banned there; default never
/// ```
struct PlacedResourceDecoding {
    static let keys = ["over", "clone", "stickiness", "migration-threshold"]
    let resources: ResourceDecoding

    func decode(_ list: [YAMLField], assemblies: [Assembly], sites: DefinitionSites) -> [PlacedResource] {
        var placed: [PlacedResource] = []
        var seen: [String: Int] = [:]
        for item in list {
            var over: [String]?
            var clone: CloneSettings?
            var cloneField: YAMLField?
            var stickiness = 0
            var threshold: Int?
            let resource = resources.decode(item, sites: sites, extraKeys: Self.keys) { map in
                over = map.required("over").flatMap { decodeOver($0, assemblies: assemblies) }
                cloneField = map.optional("clone")
                stickiness = map.optional("stickiness").flatMap { score($0, infinity: PlacedResource.infinity) } ?? 0
                threshold = map.optional("migration-threshold").flatMap { score($0, infinity: nil, from: 1) }
            }
            guard let resource else { continue }
            if let cloneField { clone = decodeClone(cloneField, name: resource.name) }
            if let line = seen[resource.name] {
                item.error("resource '\(resource.name)' is defined twice in the deployable's resources (first at line \(line))")
                continue
            }
            seen[resource.name] = item.location.line
            guard let over else { continue }
            if clone == nil,
                let owner = assemblies.first(where: { over.contains($0.name) && $0.resource(named: resource.name) != nil })
            {
                item.error(
                    "assembly '\(owner.name)' already has a resource '\(resource.name)'; a floating resource needs its own name")
                continue
            }
            if let clone, clone.max > clone.perAssemblyMax * over.count {
                cloneField?.error(
                    "max \(clone.max) is more than \(over.count) \(over.count == 1 ? "assembly" : "assemblies") "
                        + "can hold (\(over.count) × per-assembly-max \(clone.perAssemblyMax) = \(clone.perAssemblyMax * over.count))"
                )
                continue
            }
            if cloneField != nil && clone == nil { continue }
            placed.append(
                PlacedResource(
                    resource: resource, over: over, clone: clone, stickiness: stickiness, migrationThreshold: threshold))
        }
        return placed
    }

    private func decodeOver(_ field: YAMLField, assemblies: [Assembly]) -> [String]? {
        guard let list = field.sequence() else { return nil }
        guard !list.isEmpty else {
            field.error("a placed resource needs at least one assembly to run on")
            return nil
        }
        let names = assemblies.map(\.name)
        var over: [String] = []
        var ok = true
        for item in list {
            guard let name = item.name() else {
                ok = false
                continue
            }
            guard names.contains(name) else {
                item.error(
                    "no assembly '\(name)' in this deployable\(DidYouMean.hint(for: name, among: names)) (its assemblies: \(names.joined(separator: ", ")))"
                )
                ok = false
                continue
            }
            guard !over.contains(name) else {
                item.error("assembly '\(name)' is listed twice")
                ok = false
                continue
            }
            over.append(name)
        }
        return ok ? over : nil
    }

    private func decodeClone(_ field: YAMLField, name: String) -> CloneSettings? {
        guard let map = field.mapping(keys: ["name", "max", "per-assembly-max", "globally-unique"]) else { return nil }
        let cloneName = map.optional("name")?.name() ?? "\(name)-clone"
        guard let max = map.required("max")?.int(in: 1...10_000) else { return nil }
        let perAssembly = map.optional("per-assembly-max").map { $0.int(in: 1...10_000) } ?? 1
        var unique = false
        if let uniqueField = map.optional("globally-unique"), let text = uniqueField.string() {
            switch text.lowercased() {
            case "true", "yes": unique = true
            case "false", "no": unique = false
            default:
                uniqueField.error("expected true or false, got '\(text)'")
                return nil
            }
        }
        guard let perAssembly else { return nil }
        return CloneSettings(name: cloneName, max: max, perAssemblyMax: perAssembly, globallyUnique: unique)
    }

    /// A whole number from `from`, or `INFINITY` (returned as `infinity`).
    private func score(_ field: YAMLField, infinity: Int?, from: Int = 0) -> Int? {
        if case .scalar(let scalar) = field.node, ["infinity", "inf"].contains(scalar.string.lowercased()) {
            return infinity
        }
        guard case .scalar(let scalar) = field.node, Int(scalar.string) != nil else {
            field.error("expected a whole number or INFINITY, got \(field.shape)")
            return nil
        }
        return field.int(in: from...PlacedResource.infinity)
    }
}
