import Foundation

/// Writes a deployable in the original Pacemaker Cloud XML format (with the correctly spelt
/// `<parameters><parameter name><value>` form), for tools that still read it.
public enum OriginalXMLExport {
    public static func xml(_ deployable: Deployable) -> String {
        var out = "<?xml version=\"1.0\"?>\n"
        let monitor = deployable.monitor.method == .agent ? "agent" : "ssh"
        let user = deployable.assemblies.first?.ssh.user ?? "root"
        out +=
            "<deployable name=\(q(deployable.name)) uuid=\(q(deployable.uuid?.uuidString.lowercased() ?? deployable.name)) monitor=\(q(monitor)) username=\(q(user))>\n"
        out += "  <assemblies>\n"
        for assembly in deployable.assemblies {
            out += "    <assembly name=\(q(assembly.name)) uuid=\(q(assembly.name))\(escalation(assembly.escalation))>\n"
            out += "      <services>\n"
            for resource in assembly.resources {
                let provider = resource.provider.map { " provider=\(q($0))" } ?? ""
                out +=
                    "        <service name=\(q(resource.name))\(provider) class=\(q(resource.resourceClass.rawValue)) type=\(q(resource.type)) monitor_interval=\(q(DurationText.format(resource.monitor.interval)))\(escalation(resource.escalation))"
                if resource.parameters.isEmpty {
                    out += "/>\n"
                    continue
                }
                out += ">\n          <parameters>\n"
                for parameter in resource.parameters {
                    switch parameter.value {
                    case .literal(let value):
                        out +=
                            "            <parameter name=\(q(parameter.name)) type=\"scalar\"><value>\(escape(value))</value></parameter>\n"
                    case .reference(let ref):
                        out +=
                            "            <parameter name=\(q(parameter.name)) type=\"scalar\"><reference assembly=\(q(ref.assembly)) parameter=\(q(ref.parameter.rawValue))/></parameter>\n"
                    }
                }
                out += "          </parameters>\n        </service>\n"
            }
            out += "      </services>\n    </assembly>\n"
        }
        out += "  </assemblies>\n"
        if !deployable.ordering.contains(where: { !$0.first.isPlaced && !$0.then.isPlaced }) {
            out += "  <constraints/>\n"
        } else {
            out += "  <constraints>\n"
            for (index, ordering) in deployable.ordering.filter({ !$0.first.isPlaced && !$0.then.isPlaced }).enumerated() {
                out +=
                    "    <service_dependancy id=\"\(index + 1)\" first=\(q("rsc_\(ordering.first.assembly)_\(ordering.first.resource)")) then=\(q("rsc_\(ordering.then.assembly)_\(ordering.then.resource)"))/>\n"
            }
            out += "  </constraints>\n"
        }
        return out + "</deployable>\n"
    }

    /// What `xml(_:)` leaves out because the original format has no place for it, one phrase
    /// each; empty when the XML says everything the deployable does.
    public static func unexpressible(_ deployable: Deployable) -> [String] {
        var lost = deployable.resources.map { placed in
            let over = placed.over.joined(separator: ", ")
            guard let clone = placed.clone else { return "resource \(placed.name) (floating over \(over))" }
            return "resource \(placed.name) (clone \(clone.name) of \(clone.max) over \(over))"
        }
        lost += deployable.ordering.filter { $0.first.isPlaced || $0.then.isPlaced }.map {
            "ordering \($0.first) before \($0.then)"
        }
        if deployable.escalation != nil { lost.append("the deployable's own escalation limit") }
        if deployable.hooks.script != nil || deployable.hooks.webhook != nil { lost.append("its hooks") }
        return lost
    }

    private static func escalation(_ limit: EscalationLimit?) -> String {
        guard let limit else { return " escalation_failures=\"INFINITY\" escalation_period=\"INFINITY\"" }
        return " escalation_failures=\"\(limit.failures)\" escalation_period=\"\(limit.period.milliseconds / 1000)\""
    }

    private static func q(_ text: String) -> String { "\"\(escape(text))\"" }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
