import Foundation

/// The original's resource templates (`src/pcloudsh/resource_templates/NAME.xml`: one
/// `<resource type class provider monitor_interval>` element with optional `<parameters>`), read
/// by the same rules as a `<service>` of its deployable XML and written as a pcloud template.
public enum OriginalTemplateXML {
    public struct Imported: Sendable, Equatable {
        public var resource: Resource
        /// What does not carry over as written, located (file:line:column: field: message).
        public var warnings: [DefinitionError]
    }

    public static func read(data: Data, file: String, name: String) throws -> Imported {
        let root = try XMLElementNode.parse(data, file: file)
        let report = OriginalXMLReport(file: file)
        guard root.name == "resource" else {
            report.fail(root, "", "expected a <resource> template, got <\(root.name)>")
            throw DefinitionErrors(report.errors.errors)
        }
        let resource = OriginalXMLService.read(root, named: name, path: "resource", assembly: "template", report)
        if let resource {
            for problem in DefinitionRules.problems(in: resource) {
                report.fail(root, "resource.\(problem.field)", problem.message)
            }
        }
        try report.errors.throwIfAny()
        guard let resource else { throw DefinitionErrors(report.errors.errors) }  // read reported why
        return Imported(resource: resource, warnings: report.warnings.errors)
    }

    /// The template as `Assemblies/templates/NAME.yaml` holds it, with where it came from.
    public static func yaml(_ resource: Resource, origin: String) -> String {
        var lines = ["# Imported from the original's \(origin)."]
        let what =
            resource.resourceClass == .ocf
            ? "ocf:\(resource.provider ?? ResourceInvocation.defaultOCFProvider):\(resource.type)" : "\(resource.type).service"
        lines.append("description: \(YAMLExport.scalar(what))")
        lines.append("class: \(resource.resourceClass.rawValue)")
        if let provider = resource.provider { lines.append("provider: \(YAMLExport.scalar(provider))") }
        lines.append("type: \(YAMLExport.scalar(resource.type))")
        if !resource.parameters.isEmpty {
            let pairs = resource.parameters.compactMap { parameter -> String? in
                guard case .literal(let value) = parameter.value else { return nil }
                return "\(parameter.name): \(YAMLExport.scalar(value))"
            }
            lines.append("parameters: {\(pairs.joined(separator: ", "))}")
        }
        lines.append(
            "monitor: {interval: \(DurationText.format(resource.monitor.interval)), timeout: \(DurationText.format(resource.monitor.timeout))}"
        )
        return lines.joined(separator: "\n") + "\n"
    }
}
