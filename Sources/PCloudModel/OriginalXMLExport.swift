import Foundation

/// Writes a deployable in the original Pacemaker Cloud XML format (with the correctly spelt
/// `<parameters><parameter name><value>` form), as the original's engine and its cf2pe.xsl read it:
/// intervals and periods in plain whole seconds, uuids as 32 hex digits, `systemd` resources as
/// class `lsb` (which the original ran as `systemctl ... TYPE.service`), `monitor` as active/passive.
public enum OriginalXMLExport {
    public static func xml(_ deployable: Deployable) -> String {
        var out = "<?xml version=\"1.0\"?>\n"
        let user = deployable.assemblies.first?.ssh.user ?? "root"
        let uuid = deployable.uuid.map(OriginalUUID.text) ?? deployable.name  // what the original's shell wrote
        out +=
            "<deployable name=\(q(deployable.name)) uuid=\(q(uuid)) monitor=\(q(OriginalMonitorAttribute.text(deployable.monitor.method))) username=\(q(user))>\n"
        out += "  <assemblies>\n"
        for assembly in deployable.assemblies {
            let uuid = assembly.uuid.map { " uuid=\(q(OriginalUUID.text($0)))" } ?? ""
            out += "    <assembly name=\(q(assembly.name))\(uuid)\(escalation(assembly.escalation))>\n"
            out += "      <services>\n"
            for resource in assembly.resources where resource.resourceClass != .exec {
                out += service(resource)
            }
            out += "      </services>\n    </assembly>\n"
        }
        out += "  </assemblies>\n"
        let orderings = deployable.ordering.filter { !$0.first.isPlaced && !$0.then.isPlaced && written($0, in: deployable) }
        if orderings.isEmpty {
            out += "  <constraints/>\n"
        } else {
            out += "  <constraints>\n"
            for (index, ordering) in orderings.enumerated() {
                out +=
                    "    <service_dependancy id=\"\(index + 1)\" first=\(q("rsc_\(ordering.first.assembly)_\(ordering.first.resource)")) then=\(q("rsc_\(ordering.then.assembly)_\(ordering.then.resource)"))/>\n"
            }
            out += "  </constraints>\n"
        }
        return out + "</deployable>\n"
    }

    private static func service(_ resource: Resource) -> String {
        let klass = resource.resourceClass == .ocf ? "ocf" : "lsb"
        let provider = resource.resourceClass == .ocf ? resource.provider.map { " provider=\(q($0))" } ?? "" : ""
        var out =
            "        <service name=\(q(resource.name))\(provider) class=\(q(klass)) type=\(q(resource.type)) monitor_interval=\(q(seconds(resource.monitor.interval)))\(escalation(resource.escalation))"
        if resource.parameters.isEmpty { return out + "/>\n" }
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
        return out + "          </parameters>\n        </service>\n"
    }

    /// An ordering between two written services (an exec resource is left out of the XML).
    private static func written(_ ordering: Ordering, in deployable: Deployable) -> Bool {
        [ordering.first, ordering.then].allSatisfy { id in
            deployable.assembly(named: id.assembly)?.resource(named: id.resource).map { $0.resourceClass != .exec } ?? false
        }
    }

    /// What `xml(_:)` leaves out or writes differently because the original format has no place for
    /// it, one phrase each; empty when the XML says everything the deployable does.
    public static func unexpressible(_ deployable: Deployable) -> [String] {
        var lost = deployable.resources.map { placed in
            let over = placed.over.joined(separator: ", ")
            guard let clone = placed.clone else { return "resource \(placed.name) (floating over \(over))" }
            return "resource \(placed.name) (clone \(clone.name) of \(clone.max) over \(over))"
        }
        lost += deployable.ordering.filter { $0.first.isPlaced || $0.then.isPlaced || !written($0, in: deployable) }.map {
            "ordering \($0.first) before \($0.then)"
        }
        if deployable.escalation != nil { lost.append("the deployable's own escalation limit") }
        if deployable.hooks.script != nil || deployable.hooks.webhook != nil { lost.append("its hooks") }
        for assembly in deployable.assemblies {
            if let period = assembly.escalation?.period, !whole(period) {
                lost.append(
                    "assembly \(assembly.name)'s escalation period \(DurationText.format(period)) (whole seconds only: written as \(seconds(period)))"
                )
            }
            for resource in assembly.resources { lost += unexpressible(resource, in: assembly.name) }
        }
        return lost
    }

    private static func unexpressible(_ resource: Resource, in assembly: String) -> [String] {
        let id = "\(assembly)/\(resource.name)"
        switch resource.resourceClass {
        case .exec:
            let commands = resource.commands.map { c in
                [("monitor", c.monitor as String?), ("start", c.start), ("stop", c.stop)].compactMap { name, command in
                    command.map { "\(name) '\($0)'" }
                }.joined(separator: ", ")
            }
            return ["exec resource \(id) with its commands (\(commands ?? "none")): the original has no exec class; left out"]
        case .lsb:
            return [
                "lsb resource \(id) is the init script /etc/init.d/\(resource.type), but the original ran class lsb as systemctl ... \(resource.type).service"
            ]
        case .ocf, .systemd:
            var lost: [String] = []
            if !whole(resource.monitor.interval) {
                lost.append(
                    "resource \(id)'s monitor interval \(DurationText.format(resource.monitor.interval)) (whole seconds only: written as \(seconds(resource.monitor.interval)))"
                )
            }
            if let period = resource.escalation?.period, !whole(period) {
                lost.append(
                    "resource \(id)'s escalation period \(DurationText.format(period)) (whole seconds only: written as \(seconds(period)))"
                )
            }
            return lost
        }
    }

    private static func escalation(_ limit: EscalationLimit?) -> String {
        guard let limit else { return " escalation_failures=\"INFINITY\" escalation_period=\"INFINITY\"" }
        return " escalation_failures=\"\(limit.failures)\" escalation_period=\"\(seconds(limit.period))\""
    }

    /// Plain whole seconds, rounded up so that a sub-second value never becomes 0 ("never").
    static func seconds(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        return "\(ms / 1000 + (ms % 1000 > 0 ? 1 : 0))"
    }

    private static func whole(_ duration: Duration) -> Bool { duration.milliseconds % 1000 == 0 }

    private static func q(_ text: String) -> String { "\"\(escape(text))\"" }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
