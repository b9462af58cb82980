import Foundation

/// Imports the original Pacemaker Cloud deployable XML (`/var/run/NAME.xml`): deployable, assemblies,
/// services, parameters (`<parameter><value>`, a `value=` attribute, `<reference>`, and the original
/// shell's misspelt `<paramaters><paramater value=…>`), escalation (`INFINITY`/-1 = never) and
/// `service_dependancy` ordering between `rsc_ASSEMBLY_SERVICE` ids.
public struct OriginalXMLImport {
    /// Used for every assembly: the original named images after assemblies, pcloud uses a base image.
    public var image: String
    public var infrastructure: InfrastructureSettings
    /// Things the import could not carry over (e.g. configure_executable), for the operator to read.
    public private(set) var warnings: [String] = []

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
        let diagnostics = Diagnostics()
        func fail(_ node: XMLElementNode, _ path: String, _ message: String) {
            diagnostics.report(
                DefinitionError(
                    location: SourceLocation(file: file, line: node.line, column: node.column),
                    path: path, message: message))
        }
        guard root.name == "deployable" else {
            fail(root, "", "expected a <deployable> document, got <\(root.name)>")
            try diagnostics.throwIfAny()
            return Deployable(name: "")
        }
        let name = root.attributes["name"] ?? ""
        if name.isEmpty { fail(root, "deployable", "missing attribute 'name'") }
        var deployable = Deployable(
            name: name, uuid: root.attributes["uuid"].flatMap(UUID.init(uuidString:)),
            infrastructure: infrastructure)
        if root.attributes["monitor"] == "agent" { deployable.monitor.method = .agent }
        let user = root.attributes["username"] ?? "root"
        // Where each assembly and service of the model was written, for the rules' problems.
        var assemblyPlaces: [(node: XMLElementNode, path: String)] = []
        var resourcePlaces: [[(node: XMLElementNode, path: String)]] = []

        for (index, node) in (root.child(named: "assemblies")?.children ?? []).enumerated() {
            let path = "assemblies[\(index)]"
            guard let assemblyName = node.attributes["name"], !assemblyName.isEmpty else {
                fail(node, path, "missing attribute 'name'")
                continue
            }
            if deployable.assembly(named: assemblyName) != nil {
                fail(node, path, "assembly '\(assemblyName)' is defined twice")
                continue
            }
            var assembly = Assembly(name: assemblyName, image: image, ssh: SSHSettings(user: user))
            assembly.escalation = escalation(node)
            var places: [(node: XMLElementNode, path: String)] = []
            for (serviceIndex, service) in (node.child(named: "services")?.children ?? []).enumerated() {
                let servicePath = "\(path).services[\(serviceIndex)]"
                if let resource = importService(service, path: servicePath, assembly: assemblyName, fail: fail) {
                    if assembly.resource(named: resource.name) != nil {
                        fail(service, servicePath, "service '\(resource.name)' is defined twice in assembly '\(assemblyName)'")
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
                fail(
                    node, path,
                    "first/then must name services as rsc_ASSEMBLY_SERVICE, got first='\(node.attributes["first"] ?? "")' then='\(node.attributes["then"] ?? "")'"
                )
                continue
            }
            deployable.ordering.append(Ordering(first: first, then: then))
        }
        for resource in deployable.assemblies.flatMap({ a in a.resources.map { (a.name, $0) } }) {
            for reference in resource.1.references where deployable.assembly(named: reference.assembly) == nil {
                warnings.append(
                    "\(resource.0)/\(resource.1.name) refers to assembly '\(reference.assembly)', which is not in the deployable")
            }
        }
        if let cycle = OrderingGraph(deployable.ordering).cycle() {
            fail(root, "constraints", "ordering cycle: \(cycle.map(\.description).joined(separator: " -> "))")
        }
        // The same rules as a YAML definition's, on the model just built.
        for problem in DefinitionRules.problems(in: deployable) where !(name.isEmpty && problem.place == .deployable) {
            let (node, path): (XMLElementNode, String)
            switch problem.place {
            case .deployable, .placed: (node, path) = (root, "deployable")
            case .assembly where problem.field == "ssh.user": (node, path) = (root, "deployable")  // username= is the root's
            case .assembly(let index): (node, path) = assemblyPlaces[index]
            case .resource(let index, let resource): (node, path) = resourcePlaces[index][resource]
            }
            fail(node, "\(path).\(Self.attribute(problem.field))", problem.message)
        }
        try diagnostics.throwIfAny()
        return deployable
    }

    private mutating func importService(
        _ node: XMLElementNode, path: String, assembly: String,
        fail: (XMLElementNode, String, String) -> Void
    ) -> Resource? {
        guard let name = node.attributes["name"], !name.isEmpty else {
            fail(node, path, "missing attribute 'name'")
            return nil
        }
        let classText = node.attributes["class"] ?? "lsb"
        guard let resourceClass = ResourceClass(rawValue: classText) else {
            fail(
                node, "\(path).class",
                "expected one of \(ResourceClass.allCases.map(\.rawValue).joined(separator: ", ")), got '\(classText)'")
            return nil
        }
        let intervalText = node.attributes["monitor_interval"] ?? "60s"
        let interval: Duration
        switch DurationText.read(intervalText) {
        case .success(let value) where value > .zero:
            interval = value
        case .success:
            fail(node, "\(path).monitor_interval", "must be longer than 0s")
            return nil
        case .failure(let problem):
            fail(node, "\(path).monitor_interval", DurationText.message(problem, text: intervalText))
            return nil
        }
        var resource = Resource(
            name: name, resourceClass: resourceClass, type: node.attributes["type"] ?? "http",
            provider: resourceClass == .ocf ? (node.attributes["provider"] ?? ResourceInvocation.defaultOCFProvider) : nil,
            monitor: OperationTiming(interval: interval, timeout: max(interval / 2, .seconds(5))))
        resource.escalation = escalation(node)
        let parameterLists = node.children(named: "parameters") + node.children(named: "paramaters")
        for parameter in parameterLists.flatMap({ $0.children.filter { ["parameter", "paramater"].contains($0.name) } }) {
            guard let parameterName = parameter.attributes["name"], !parameterName.isEmpty else {
                fail(parameter, "\(path).parameters", "a parameter without a 'name'")
                continue
            }
            if let reference = parameter.child(named: "reference") {
                guard let target = reference.attributes["assembly"],
                    let runtime = RuntimeParameter(rawValue: reference.attributes["parameter"] ?? "")
                else {
                    fail(
                        reference, "\(path).parameters.\(parameterName)",
                        "a reference needs assembly= and parameter=ipaddress|hostname")
                    continue
                }
                resource.parameters.append(
                    Parameter(name: parameterName, value: .reference(ParameterReference(assembly: target, parameter: runtime))))
            } else if let value = parameter.child(named: "value")?.text ?? parameter.attributes["value"] {
                resource.parameters.append(Parameter(name: parameterName, value: .literal(value)))
            } else {
                fail(parameter, "\(path).parameters.\(parameterName)", "a parameter needs a <value> or a <reference>")
            }
        }
        if let configure = node.child(named: "configure_executable") {
            warnings.append(
                "\(assembly)/\(name): configure_executable \(configure.attributes["url"] ?? "") is not supported (the original's script_runner agent never shipped); add it as an exec resource ordered first"
            )
        }
        return resource
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

    /// `escalation_failures`/`escalation_period`: integers, or INFINITY/-1/absent for "never escalate".
    private func escalation(_ node: XMLElementNode) -> EscalationLimit? {
        guard let failures = Int(node.attributes["escalation_failures"] ?? ""),
            let period = Int(node.attributes["escalation_period"] ?? ""), failures > 0, period > 0
        else { return nil }
        return EscalationLimit(failures: failures, period: .seconds(period))
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
