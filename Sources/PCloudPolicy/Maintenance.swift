import PCloudModel

/// What an operator took out of pcloud's hands (Pacemaker's `is-managed=false`, Proxmox HA's
/// `ignored`): the whole deployable, one assembly, or one resource (`web/httpd`, or a placed
/// instance's copy `b/ClusterIP:1`). Stored as its text: `""`, `web`, `web/httpd`.
public enum MaintenanceElement: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    case deployable
    case assembly(String)
    case resource(ResourceID)

    /// `""` (the whole deployable), `ASSEMBLY` or `ASSEMBLY/RESOURCE`; nil for anything else.
    public init?(_ text: String) {
        if text.isEmpty {
            self = .deployable
        } else if text.contains("/") {
            guard let id = ResourceID(text) else { return nil }
            self = .resource(id)
        } else {
            self = .assembly(text)
        }
    }

    public var text: String {
        switch self {
        case .deployable: ""
        case .assembly(let name): name
        case .resource(let id): id.description
        }
    }

    /// How a sentence names it: `the deployable`, `assembly web`, `web/httpd`.
    public var description: String {
        switch self {
        case .deployable: "the deployable"
        case .assembly(let name): "assembly \(name)"
        case .resource(let id): id.description
        }
    }

    public static func < (lhs: MaintenanceElement, rhs: MaintenanceElement) -> Bool { lhs.text < rhs.text }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let element = MaintenanceElement(text) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not a maintenance element: '\(text)'"))
        }
        self = element
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// One element in maintenance: since when, and until when (absolute, seconds since 1970) if it expires.
public struct MaintenanceWindow: Sendable, Codable, Equatable {
    public var element: MaintenanceElement
    public var since: Double
    public var until: Double?

    public init(element: MaintenanceElement, since: Double, until: Double?) {
        self.element = element
        self.since = since
        self.until = until
    }
}

/// Which elements are unmanaged, and what pcloud may therefore not do.
extension DeployableRuntime {
    /// The elements in maintenance, in a stable order (none: never used, or every one ended).
    public var maintenanceWindows: [MaintenanceWindow] { (maintenance ?? []).sorted { $0.element < $1.element } }

    public var inMaintenance: Bool { !(maintenance ?? []).isEmpty }

    func inMaintenance(_ element: MaintenanceElement) -> Bool {
        maintenance?.contains { $0.element == element } == true
    }

    /// The assembly (the guest) is unmanaged: never started, stopped or fenced by pcloud.
    public func isUnmanaged(assembly name: String) -> Bool {
        maintenance?.contains { $0.element == .deployable || $0.element == .assembly(name) } == true
    }

    /// The resource is unmanaged: monitored and reported, never started, stopped or restarted.
    public func isUnmanaged(_ id: ResourceID) -> Bool {
        maintenance?.contains { $0.element == .deployable || $0.element == .assembly(id.assembly) || $0.element == .resource(id) }
            == true
    }

    /// Restarting, stopping or fencing this assembly would reach an unmanaged element (itself or a
    /// resource in it); the element that holds it, if one does.
    public func heldBy(assembly name: String) -> MaintenanceElement? {
        maintenanceWindows.first {
            switch $0.element {
            case .deployable: true
            case .assembly(let held): held == name
            case .resource(let id): id.assembly == name
            }
        }?.element
    }

    /// How many elements are unmanaged: the resources, and the assemblies, that maintenance covers.
    public var unmanagedCount: (assemblies: Int, resources: Int) {
        guard inMaintenance else { return (0, 0) }
        return (assemblies.keys.filter { isUnmanaged(assembly: $0) }.count, resources.keys.filter { isUnmanaged($0) }.count)
    }
}
