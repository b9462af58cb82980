/// Checks that need the whole deployable: parameter references name assemblies of this deployable,
/// ordering names real resources and has no cycle, and each assembly has what its infrastructure needs.
struct DeployableValidation {
    let deployable: Deployable
    let sites: DefinitionSites
    let diagnostics: Diagnostics

    func run() {
        checkReferences()
        checkOrdering()
        checkInfrastructure()
    }

    private var assemblyNames: [String] { deployable.assemblies.map(\.name) }

    private func report(_ location: SourceLocation, _ path: String, _ message: String) {
        diagnostics.report(DefinitionError(location: location, path: path, message: message))
    }

    private func checkReferences() {
        for site in sites.references where deployable.assembly(named: site.reference.assembly) == nil {
            let name = site.reference.assembly
            report(
                site.location, site.path,
                "refers to assembly '\(name)', which is not in deployable '\(deployable.name)'\(DidYouMean.hint(for: name, among: assemblyNames)) (its assemblies: \(assemblyNames.joined(separator: ", ")))"
            )
        }
    }

    private func checkOrdering() {
        var valid: [Ordering] = []
        for site in sites.orderings {
            var ok = true
            for (end, id) in [("first", site.ordering.first), ("then", site.ordering.then)] where !id.isPlaced {
                guard let assembly = deployable.assembly(named: id.assembly) else {
                    report(
                        site.location, "\(site.path).\(end)",
                        "no assembly '\(id.assembly)' in this deployable\(DidYouMean.hint(for: id.assembly, among: assemblyNames))"
                    )
                    ok = false
                    continue
                }
                if assembly.resource(named: id.resource) == nil {
                    let names = assembly.resources.map(\.name)
                    report(
                        site.location, "\(site.path).\(end)",
                        "assembly '\(id.assembly)' has no resource '\(id.resource)'\(DidYouMean.hint(for: id.resource, among: names))"
                    )
                    ok = false
                }
            }
            if site.ordering.first == site.ordering.then {
                report(site.location, site.path, "a resource cannot be ordered after itself (\(site.ordering.first))")
                ok = false
            }
            if ok {
                if let cycle = OrderingGraph(valid + [site.ordering]).cycle() {
                    report(
                        site.location, site.path,
                        "ordering cycle: \(cycle.map(\.description).joined(separator: " -> "))")
                } else {
                    valid.append(site.ordering)
                }
            }
        }
    }

    private func checkInfrastructure() {
        for assembly in deployable.assemblies {
            guard let (location, path) = sites.assemblies[assembly.name] else { continue }
            switch deployable.infrastructure {
            case .static where assembly.address == nil:
                report(
                    location, path, "assembly '\(assembly.name)' needs an 'address': static infrastructure runs on existing hosts"
                )
            case .libvirt, .openstack:
                if assembly.image == nil {
                    report(
                        location, path,
                        "assembly '\(assembly.name)' needs an 'image' to be started on \(deployable.infrastructure.kind)")
                }
            default:
                break
            }
        }
    }
}

extension InfrastructureSettings {
    /// `libvirt`, `openstack` or `static`.
    public var kind: String {
        switch self {
        case .libvirt: return "libvirt"
        case .openstack: return "openstack"
        case .static: return "static"
        }
    }
}

/// The first/then graph between resources; used for validation and start/stop order.
public struct OrderingGraph: Sendable {
    private let successors: [ResourceID: [ResourceID]]

    public init(_ orderings: [Ordering]) {
        var successors: [ResourceID: [ResourceID]] = [:]
        for ordering in orderings { successors[ordering.first, default: []].append(ordering.then) }
        self.successors = successors
    }

    /// A cycle as a path that returns to its start, or nil.
    public func cycle() -> [ResourceID]? {
        var state: [ResourceID: Bool] = [:]  // false = on the stack, true = done
        var stack: [ResourceID] = []
        func visit(_ node: ResourceID) -> [ResourceID]? {
            if let done = state[node] {
                if done { return nil }
                let start = stack.firstIndex(of: node)!
                return Array(stack[start...]) + [node]
            }
            state[node] = false
            stack.append(node)
            for next in successors[node] ?? [] {
                if let cycle = visit(next) { return cycle }
            }
            stack.removeLast()
            state[node] = true
            return nil
        }
        for node in successors.keys.sorted() {
            if let cycle = visit(node) { return cycle }
        }
        return nil
    }
}
