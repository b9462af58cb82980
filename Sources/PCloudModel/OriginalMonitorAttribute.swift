/// The original deployable's `monitor` attribute. Its shell wrote `active` for `deployable_create ...
/// am` (the default: the engine polls the guest, pcloud's ssh monitoring) and `passive` for `pm` (the
/// guest reports in, as matahari's heartbeats did: pcloud's guest agent). Its last engine read
/// neither and always polled over ssh.
public enum OriginalMonitorAttribute {
    public enum Reading: Equatable {
        case method(MonitorSettings.Method)
        /// Not a value the original or pcloud writes: monitored over ssh, with a warning.
        case unknown
    }

    public static let known = ["active", "passive", "am", "pm", "ssh", "agent"]

    /// nil (no attribute) is the original's default, `active`.
    public static func read(_ text: String?) -> Reading {
        switch text?.lowercased() {
        case nil, "", "active", "am", "ssh": return .method(.ssh)
        case "passive", "pm", "agent": return .method(.agent)
        default: return .unknown
        }
    }

    /// What the original's shell would have written for `method`.
    public static func text(_ method: MonitorSettings.Method) -> String {
        method == .agent ? "passive" : "active"
    }
}
