import Foundation

/// Imports the original Pacemaker Cloud deployable XML (`/var/run/NAME.xml`): deployable, assemblies,
/// services, parameters (`<parameter><value>`, a `value=` attribute, `<reference>`, and the original
/// shell's misspelt `<paramaters><paramater value=…>`), escalation (read by `OriginalEscalationText`)
/// and `service_dependancy` ordering between `rsc_ASSEMBLY_SERVICE` ids.
///
/// Nothing changes meaning in silence: what cannot carry over as written is a warning (and makes
/// `validate` refuse the file), what is kept in another form is a note, and what cannot be read is
/// an error; each names its file, line, column and attribute.
public struct OriginalXMLImport {
    /// Used for every assembly: the original named images after assemblies, pcloud uses a base image.
    public var image: String
    public var infrastructure: InfrastructureSettings
    /// What does not carry over as written (configure_executable, `10m` as a period, an unknown
    /// monitor value): the file imports, `validate` refuses it.
    public private(set) var warnings: [DefinitionError] = []
    /// What is kept in another form without changing what the deployable does (a uuid that is not one).
    public private(set) var notes: [DefinitionError] = []

    public init(image: String = "debian12", infrastructure: InfrastructureSettings = .libvirt(uri: "qemu:///system")) {
        self.image = image
        self.infrastructure = infrastructure
    }

    public mutating func importDeployable(file: URL) throws -> Deployable {
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw DefinitionErrors([
                DefinitionError(
                    location: SourceLocation(file: file.relativePath, line: 1, column: 1),
                    path: "", message: "cannot read the file: \(error.localizedDescription)")
            ])
        }
        return try importDeployable(data: data, file: file.relativePath)
    }

    public mutating func importDeployable(data: Data, file: String) throws -> Deployable {
        let root = try XMLElementNode.parse(data, file: file)
        let report = OriginalXMLReport(file: file)
        defer {
            warnings = report.warnings.errors
            notes = report.notes.errors
        }
        guard root.name == "deployable" else {
            report.fail(root, "", "expected a <deployable> document, got <\(root.name)>")
            try report.errors.throwIfAny()
            return Deployable(name: "")
        }
        let name = root.attributes["name"] ?? ""
        if name.isEmpty { report.fail(root, "deployable", "missing attribute 'name'") }
        var deployable = Deployable(
            name: name, uuid: uuid(root, path: "deployable", of: "the deployable", report),
            infrastructure: infrastructure)
        switch OriginalMonitorAttribute.read(root.attributes["monitor"]) {
        case .method(let method): deployable.monitor.method = method
        case .unknown:
            report.warn(
                root, "deployable.monitor",
                "'\(NameRule.shown(root.attributes["monitor"] ?? ""))' is not one of \(OriginalMonitorAttribute.known.joined(separator: ", ")): monitored over ssh (active), as the original's engine always did"
            )
        }
        let user = root.attributes["username"] ?? "root"
        // Where each assembly and service of the model was written, for the rules' problems.
        var assemblyPlaces: [(node: XMLElementNode, path: String)] = []
        var resourcePlaces: [[(node: XMLElementNode, path: String)]] = []

        for (index, node) in (root.child(named: "assemblies")?.children ?? []).enumerated() {
            let path = "assemblies[\(index)]"
            guard let assemblyName = node.attributes["name"], !assemblyName.isEmpty else {
                report.fail(node, path, "missing attribute 'name'")
                continue
            }
            if deployable.assembly(named: assemblyName) != nil {
                report.fail(node, path, "assembly '\(assemblyName)' is defined twice")
                continue
            }
            var assembly = Assembly(name: assemblyName, image: image, ssh: SSHSettings(user: user))
            assembly.uuid = uuid(node, path: path, of: "assembly '\(assemblyName)'", report)
            assembly.escalation = Self.escalation(node, path: path, report)
            var places: [(node: XMLElementNode, path: String)] = []
            for (serviceIndex, service) in (node.child(named: "services")?.children ?? []).enumerated() {
                let servicePath = "\(path).services[\(serviceIndex)]"
                if let resource = OriginalXMLService.read(service, path: servicePath, assembly: assemblyName, report) {
                    if assembly.resource(named: resource.name) != nil {
                        report.fail(
                            service, servicePath, "service '\(resource.name)' is defined twice in assembly '\(assemblyName)'")
                    } else {
                        assembly.resources.append(resource)
                        places.append((service, servicePath))
                    }
                }
            }
            deployable.assemblies.append(assembly)
            assemblyPlaces.append((node, path))
            resourcePlaces.append(places)
        }
        for (index, node) in (root.child(named: "constraints")?.children(named: "service_dependancy") ?? []).enumerated() {
            let path = "constraints[\(index)]"
            guard let first = resourceID(node.attributes["first"], in: deployable),
                let then = resourceID(node.attributes["then"], in: deployable)
            else {
                report.fail(
                    node, path,
                    "first/then must name services as rsc_ASSEMBLY_SERVICE, got first='\(node.attributes["first"] ?? "")' then='\(node.attributes["then"] ?? "")'"
                )
                continue
            }
            deployable.ordering.append(Ordering(first: first, then: then))
        }
        let assemblyNames = deployable.assemblies.map(\.name)
        for (index, assembly) in deployable.assemblies.enumerated() {
            for (resourceIndex, resource) in assembly.resources.enumerated() {
                for parameter in resource.parameters {
                    guard case .reference(let reference) = parameter.value, !assemblyNames.contains(reference.assembly),
                        NameRule.problem(reference.assembly) == nil  // a name that is not one is refused by the rules
                    else { continue }
                    let place = resourcePlaces[index][resourceIndex]
                    report.fail(
                        place.node, "\(place.path).parameters.\(parameter.name)",
                        "refers to assembly '\(reference.assembly)', which is not in deployable '\(name)'\(DidYouMean.hint(for: reference.assembly, among: assemblyNames)) (its assemblies: \(assemblyNames.joined(separator: ", ")))"
                    )
                }
            }
        }
        if let cycle = OrderingGraph(deployable.ordering).cycle() {
            report.fail(root, "constraints", "ordering cycle: \(cycle.map(\.description).joined(separator: " -> "))")
        }
        // The same rules as a YAML definition's, on the model just built: what imports exports to
        // YAML that validates (a reference to an assembly outside the deployable is refused here).
        for problem in DefinitionRules.problems(in: deployable) where !(name.isEmpty && problem.place == .deployable) {
            let (node, path): (XMLElementNode, String)
            switch problem.place {
            case .deployable, .placed: (node, path) = (root, "deployable")
            case .assembly where problem.field == "ssh.user": (node, path) = (root, "deployable")  // username= is the root's
            case .assembly(let index): (node, path) = assemblyPlaces[index]
            case .resource(let index, let resource): (node, path) = resourcePlaces[index][resource]
            }
            report.fail(node, "\(path).\(Self.attribute(problem.field))", problem.message)
        }
        try report.errors.throwIfAny()
        return deployable
    }

    /// The XML attribute a model field was read from.
    private static func attribute(_ field: String) -> String {
        switch field {
        case "monitor.interval", "monitor.timeout": return "monitor_interval"
        case "escalation.period": return "escalation_period"
        case "ssh.user": return "username"
        default: return field
        }
    }

    /// `escalation_failures`/`escalation_period` of an assembly or a service, by the rule in
    /// `OriginalEscalationText`.
    static func escalation(_ node: XMLElementNode, path: String, _ report: OriginalXMLReport) -> EscalationLimit? {
        let reading = OriginalEscalationText.read(
            failures: node.attributes["escalation_failures"], period: node.attributes["escalation_period"])
        for complaint in reading.errors { report.fail(node, "\(path).\(complaint.attribute)", complaint.message) }
        for complaint in reading.warnings { report.warn(node, "\(path).\(complaint.attribute)", complaint.message) }
        return reading.limit
    }

    /// A uuid kept as the same value (32 hex digits or dashed); anything else is noted and dropped.
    private func uuid(_ node: XMLElementNode, path: String, of what: String, _ report: OriginalXMLReport) -> UUID? {
        guard let text = node.attributes["uuid"], !text.isEmpty else { return nil }
        if let uuid = OriginalUUID.parse(text) { return uuid }
        let why = text == node.attributes["name"] ? " (the original's shell wrote the name there)" : ""
        report.note(
            node, "\(path).uuid",
            "'\(NameRule.shown(text))' is not a uuid\(why): pcloud gives \(what) its own when it is stored")
        return nil
    }

    /// `rsc_ASSEMBLY_SERVICE`, resolved against the names that exist (names may contain underscores).
    private func resourceID(_ text: String?, in deployable: Deployable) -> ResourceID? {
        guard let text, text.hasPrefix("rsc_") else { return nil }
        for assembly in deployable.assemblies {
            for resource in assembly.resources where text == "rsc_\(assembly.name)_\(resource.name)" {
                return ResourceID(assembly: assembly.name, resource: resource.name)
            }
        }
        return nil
    }
}
