/// Why a store command was refused; the store is unchanged when one is thrown.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case notFound(kind: String, name: String)
    case alreadyExists(kind: String, name: String)
    /// An assembly still listed by deployables cannot be deleted.
    case assemblyInUse(assembly: String, deployables: [String])
    case notMember(assembly: String, deployable: String)
    case alreadyMember(assembly: String, deployable: String)
    case invalid(String)
    /// A deployable cannot be deleted while it is started or stopping.
    case started(deployable: String, state: String)
    /// The store itself could not be reached or failed (a PostgreSQL server down, a wrong password).
    case unavailable(String)

    public var description: String {
        switch self {
        case .notFound(let kind, let name): return "\(kind) '\(name)' does not exist"
        case .alreadyExists(let kind, let name): return "\(kind) '\(name)' already exists"
        case .assemblyInUse(let assembly, let deployables):
            return
                "assembly '\(assembly)' is in deployable\(deployables.count == 1 ? "" : "s") \(deployables.map { "'\($0)'" }.joined(separator: ", ")); remove it from there first (deployable_assembly_remove)"
        case .notMember(let assembly, let deployable): return "assembly '\(assembly)' is not in deployable '\(deployable)'"
        case .alreadyMember(let assembly, let deployable):
            return "assembly '\(assembly)' is already in deployable '\(deployable)'"
        case .invalid(let message), .unavailable(let message): return message
        case .started(let deployable, let state):
            return
                "deployable '\(deployable)' is \(state == "stopping" ? "stopping" : "started (\(state))"): stop it first (pcloudsh deployable_stop \(deployable) --wait), then delete it"
        }
    }
}
