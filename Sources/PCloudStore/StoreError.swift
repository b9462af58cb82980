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
    /// A claim of a lease another controller holds and has not let expire.
    case leaseHeld(deployable: String, holder: String, epoch: Int64)
    /// A write, renewal or release under a lease epoch that is not (or no longer) the deployable's
    /// current one: another controller has claimed it since, or it was released. `current` and
    /// `holder` are the lease as the store has it (nil when there is no lease or no holder). The
    /// writer must stop acting on that deployable.
    case staleEpoch(deployable: String, epoch: Int64, current: Int64?, holder: String?)

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
        case .leaseHeld(let deployable, let holder, let epoch):
            return "deployable '\(deployable)' is held by controller '\(holder)' (epoch \(epoch)) and its lease has not expired"
        case .staleEpoch(let deployable, let epoch, let current, let holder):
            let now =
                current.map { "the current epoch is \($0), \(holder.map { "held by '\($0)'" } ?? "released")" }
                ?? "there is no lease"
            return "deployable '\(deployable)': lease epoch \(epoch) is stale (\(now)): this controller no longer owns it"
        case .started(let deployable, let state):
            return
                "deployable '\(deployable)' is \(state == "stopping" ? "stopping" : "started (\(state))"): stop it first (pcloudsh deployable_stop \(deployable) --wait), then delete it"
        }
    }
}
