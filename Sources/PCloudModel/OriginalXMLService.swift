/// One `<service>` of the original's XML as a pcloud resource.
///
/// The original's ssh transport ran class `lsb` as `systemctl status|start|stop TYPE.service`, so an
/// `lsb` service becomes a `systemd` resource (pcloud's `lsb` is an init script in /etc/init.d);
/// `ocf` keeps its provider. A `monitor_interval` the original's pipeline read differently (`1m10s`,
/// read as 1m by its cf2pe.xsl into Pacemaker) is a warning.
enum OriginalXMLService {
    /// `named` is the name a template's `<resource>` (which has none) is given.
    static func read(
        _ node: XMLElementNode, named: String? = nil, path: String, assembly: String, _ report: OriginalXMLReport
    ) -> Resource? {
        guard let name = named ?? node.attributes["name"], !name.isEmpty else {
            report.fail(node, path, "missing attribute 'name'")
            return nil
        }
        let classText = node.attributes["class"] ?? "lsb"
        let resourceClass: ResourceClass
        switch classText {
        case "lsb", "systemd": resourceClass = .systemd
        case "ocf": resourceClass = .ocf
        default:
            report.fail(
                node, "\(path).class",
                "expected one of lsb (run as systemctl ... TYPE.service, as the original did), ocf or systemd, got '\(NameRule.shown(classText))'"
            )
            return nil
        }
        guard let interval = interval(node, path: path, report) else { return nil }
        var resource = Resource(
            name: name, resourceClass: resourceClass, type: node.attributes["type"] ?? "http",
            provider: resourceClass == .ocf ? (node.attributes["provider"] ?? ResourceInvocation.defaultOCFProvider) : nil,
            monitor: OperationTiming(interval: interval, timeout: max(interval / 2, .seconds(5))))
        resource.escalation = OriginalXMLImport.escalation(node, path: path, report)
        resource.parameters = parameters(node, path: path, report)
        if let configure = node.child(named: "configure_executable") {
            report.warn(
                configure, "\(path).configure_executable",
                "\(assembly)/\(name): configure_executable \(configure.attributes["url"] ?? "") is not supported (the original's script_runner agent never shipped); add it as an exec resource ordered first"
            )
        }
        return resource
    }

    private static func interval(_ node: XMLElementNode, path: String, _ report: OriginalXMLReport) -> Duration? {
        let text = node.attributes["monitor_interval"] ?? "60s"
        switch DurationText.read(text) {
        case .success(let value) where value > .zero:
            if let first = firstPart(text), first != value {
                report.warn(
                    node, "\(path).monitor_interval",
                    "'\(NameRule.shown(text))' is read as \(OriginalEscalationText.secondsText(value)), but the original's pipeline (cf2pe.xsl into Pacemaker) read only its first part, \(OriginalEscalationText.secondsText(first)); write \(OriginalEscalationText.secondsText(value, unit: false))"
                )
            }
            return value
        case .success:
            report.fail(node, "\(path).monitor_interval", "must be longer than 0s")
        case .failure(let problem):
            report.fail(node, "\(path).monitor_interval", DurationText.message(problem, text: text))
        }
        return nil
    }

    /// The first number-and-unit of a compound duration (`1m` of `1m10s`); nil for a single part.
    private static func firstPart(_ text: String) -> Duration? {
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = lowered.prefix(while: { $0.isNumber || $0 == "." })
        let unit = lowered.dropFirst(digits.count).prefix(while: \.isLetter)
        let first = String(digits + unit)
        guard !digits.isEmpty, first.count < lowered.count else { return nil }
        return DurationText.parse(first)
    }

    private static func parameters(_ node: XMLElementNode, path: String, _ report: OriginalXMLReport) -> [Parameter] {
        var found: [Parameter] = []
        let lists = node.children(named: "parameters") + node.children(named: "paramaters")
        for misspelt in node.children(named: "paramaters") {
            report.note(
                misspelt, "\(path).paramaters",
                "the original's shell wrote its parameters misspelt, so its engine never passed them; pcloud passes them to the resource"
            )
        }
        for parameter in lists.flatMap({ $0.children.filter { ["parameter", "paramater"].contains($0.name) } }) {
            guard let parameterName = parameter.attributes["name"], !parameterName.isEmpty else {
                report.fail(parameter, "\(path).parameters", "a parameter without a 'name'")
                continue
            }
            if let reference = parameter.child(named: "reference") {
                guard let target = reference.attributes["assembly"],
                    let runtime = RuntimeParameter(rawValue: reference.attributes["parameter"] ?? "")
                else {
                    report.fail(
                        reference, "\(path).parameters.\(parameterName)",
                        "a reference needs assembly= and parameter=ipaddress|hostname")
                    continue
                }
                found.append(
                    Parameter(name: parameterName, value: .reference(ParameterReference(assembly: target, parameter: runtime))))
            } else if let value = parameter.child(named: "value")?.text ?? parameter.attributes["value"] {
                found.append(Parameter(name: parameterName, value: .literal(value)))
            } else {
                report.fail(parameter, "\(path).parameters.\(parameterName)", "a parameter needs a <value> or a <reference>")
            }
        }
        return found
    }
}
