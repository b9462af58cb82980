import PCloudModel

/// Where the instances of a deployable's placed resources run, and what the placement remembers
/// between two decisions.
public struct PlacementRuntime: Sendable, Codable, Equatable {
    /// Instance name (`ClusterIP:7`, or a floating resource's name) → the assembly it runs on.
    /// Absent: nowhere (banned on every assembly it may run on, or no room).
    public var assignment: [String: String] = [:]
    /// The initial spread is done; reset by an operator start and a deployable restart.
    public var initialized = false
    /// Assemblies that failed and were not reached again since: their instances move away.
    public var away: Set<String> = []
    /// Why each instance last moved: the reason of the stop and start that carry the move out.
    public var moves: [String: String] = [:]
    /// When the earliest ban of an instance that runs nowhere runs out (the engine ticks then).
    public var wake: Double?

    public init() {}
}

/// One instance of a placed resource: `ClusterIP:7`.
struct PlacedInstance: Sendable {
    let placed: PlacedResource
    let number: Int
    var name: String { placed.instanceName(number) }
}
