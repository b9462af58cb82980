/// A resource that belongs to the deployable rather than to one assembly: `floating` over a set of
/// assemblies (one instance that runs on exactly one of them) or a `clone` (several instances spread
/// over them). The policy decides where each instance runs and moves it when it fails there too
/// often (`migrationThreshold`) or its assembly goes away; `stickiness` keeps a running instance
/// where it is (Pacemaker's resource-stickiness, migration-threshold, clone-max, clone-node-max).
public struct PlacedResource: Sendable, Equatable, Codable {
    /// The resource as on an assembly: class, type, parameters, monitor, on-fail, failure-expiry...
    public var resource: Resource
    /// The assemblies it may run on, in preference order.
    public var over: [String]
    /// nil: floating (one instance).
    public var clone: CloneSettings?
    /// 0 = go back to the preferred assembly when it can; any positive value = stay where it runs.
    public var stickiness: Int
    /// Failures on one assembly after which an instance is banned there (until they expire); nil = never.
    public var migrationThreshold: Int?

    /// Pacemaker's INFINITY score.
    public static let infinity = 1_000_000

    public init(
        resource: Resource, over: [String], clone: CloneSettings? = nil, stickiness: Int = 0,
        migrationThreshold: Int? = nil
    ) {
        self.resource = resource
        self.over = over
        self.clone = clone
        self.stickiness = stickiness
        self.migrationThreshold = migrationThreshold
    }

    public var name: String { resource.name }
    public var instanceCount: Int { clone?.max ?? 1 }
    /// How many instances one assembly may hold.
    public var perAssemblyMax: Int { clone?.perAssemblyMax ?? 1 }

    /// `ClusterIP:7` for clone instances (numbered from 0), the bare name for a floating resource.
    public func instanceName(_ number: Int) -> String { clone == nil ? name : "\(name):\(number)" }

    /// The resource as instance `number` runs it: clones get Pacemaker's meta attributes as parameters
    /// (`OCF_RESKEY_CRM_meta_clone` is what IPaddr2's `unique_clone_address` adds to the address).
    public func instance(_ number: Int) -> Resource {
        var instance = resource
        instance.name = instanceName(number)
        guard let clone else { return instance }
        let meta = [
            ("CRM_meta_clone", "\(number)"), ("CRM_meta_clone_max", "\(clone.max)"),
            ("CRM_meta_clone_node_max", "\(clone.perAssemblyMax)"),
            ("CRM_meta_globally_unique", clone.globallyUnique ? "true" : "false"),
        ]
        for (name, value) in meta where !instance.parameters.contains(where: { $0.name == name }) {
            instance.parameters.append(Parameter(name: name, value: .literal(value)))
        }
        return instance
    }

    /// Splits `ClusterIP:7` into the resource name and instance number (a floating name has none).
    public static func split(_ instanceName: String) -> (resource: String, number: Int?) {
        guard let colon = instanceName.lastIndex(of: ":"), let number = Int(instanceName[instanceName.index(after: colon)...])
        else { return (instanceName, nil) }
        return (String(instanceName[..<colon]), number)
    }
}

/// A clone: `max` instances, at most `perAssemblyMax` on one assembly.
public struct CloneSettings: Sendable, Equatable, Codable {
    /// The clone set's name as status shows it (`CloneIP`); defaults to `NAME-clone`.
    public var name: String
    public var max: Int
    public var perAssemblyMax: Int
    /// Each instance is distinct (its number matters, e.g. one address each); false = anonymous.
    public var globallyUnique: Bool

    public init(name: String, max: Int, perAssemblyMax: Int = 1, globallyUnique: Bool = false) {
        self.name = name
        self.max = max
        self.perAssemblyMax = perAssemblyMax
        self.globallyUnique = globallyUnique
    }
}

extension Deployable {
    /// The definition an operation on `id` runs: an assembly's own resource, or the instance of a
    /// placed resource named `id.resource` (`ClusterIP:7`) when `id.assembly` is one it may run on.
    public func resourceDefinition(for id: ResourceID) -> Resource? {
        if let resource = assembly(named: id.assembly)?.resource(named: id.resource) { return resource }
        let (name, number) = PlacedResource.split(id.resource)
        for placed in resources where placed.name == name && placed.over.contains(id.assembly) {
            switch (placed.clone, number) {
            case (nil, nil): return placed.instance(0)
            case (.some, .some(let number)) where number >= 0 && number < placed.instanceCount:
                return placed.instance(number)
            default: continue
            }
        }
        return nil
    }

    public func placedResource(named name: String) -> PlacedResource? {
        resources.first { $0.name == name }
    }
}
