/// Floating and cloned resources and failed actions the way `crm_mon -1` shows them:
///
/// ```
/// Full List of Resources:
///   * Clone Set: CloneIP [ClusterIP] (unique):
///     * ClusterIP:0	(ocf:heartbeat:IPaddr2):	 Started a
///     * ClusterIP:1	(ocf:heartbeat:IPaddr2):	 Started b
/// Failed Resource Actions:
///   * ClusterIP:7 monitor on a 'not running' (7)
/// ```
enum PlacementStatusText {
    struct Placed: Decodable {
        var name: String
        var agent: String
        var clone: String?
        var globallyUnique: Bool
        var instances: [Instance]
    }

    struct Instance: Decodable {
        var name: String
        var assembly: String?
        var state: String
        var failures: Int
    }

    struct Failed: Decodable {
        var resource: String
        var assembly: String
        var action: String
        var code: Int32
        var meaning: String
        var detail: String?
    }

    static func lines(_ placed: [Placed], failed: [Failed]) -> [String] {
        var lines: [String] = []
        if !placed.isEmpty {
            lines.append("Full List of Resources:")
            for resource in placed {
                guard let clone = resource.clone else {
                    for instance in resource.instances { lines.append("  * \(row(instance, resource.agent))") }
                    continue
                }
                lines.append("  * Clone Set: \(clone) [\(resource.name)]\(resource.globallyUnique ? " (unique)" : ""):")
                if resource.globallyUnique {
                    for instance in resource.instances { lines.append("    * \(row(instance, resource.agent))") }
                } else {
                    // Anonymous instances are interchangeable: where they run, and how many run nowhere.
                    let started = resource.instances.filter { $0.state == "running" }.compactMap(\.assembly)
                    var seen: [String] = []
                    for assembly in started where !seen.contains(assembly) { seen.append(assembly) }
                    if !seen.isEmpty { lines.append("    * Started: [ \(seen.joined(separator: " ")) ]") }
                    for instance in resource.instances where instance.state != "running" {
                        lines.append("    * \(row(instance, resource.agent))")
                    }
                }
            }
        }
        if !failed.isEmpty {
            lines.append("Failed Resource Actions:")
            for action in failed {
                var line = "  * \(action.resource) \(action.action) on \(action.assembly) '\(action.meaning)' (\(action.code))"
                if let detail = action.detail, detail != action.meaning { line += ": \(detail)" }
                lines.append(line)
            }
        }
        return lines
    }

    static func row(_ instance: Instance, _ agent: String) -> String {
        let state: String
        switch (instance.state, instance.assembly) {
        case (_, nil): state = "Stopped"
        case ("running", let at?): state = "Started \(at)"
        case ("starting", let at?): state = "Starting \(at)"
        case ("failed", let at?), ("unrecoverable", let at?): state = "FAILED \(at)"
        case ("blocked", let at?): state = "FAILED \(at) (blocked)"
        case (_, let at?): state = "Stopped (placed on \(at))"
        }
        return "\(instance.name)\t(\(agent)):\t \(state)"
    }
}
