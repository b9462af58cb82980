import GRDB
import PCloudModel

/// Every definition change records its event in the transaction that makes it, whoever writes
/// (cped's API or `pcloudsh` on the store file): the change and its event are stored together or not
/// at all, so the event log, a follower of it and a cluster see every change exactly once.
extension Store {
    /// Kinds of the events definition changes record.
    public enum DefinitionEventKind {
        public static let deployableDefined = "deployable.defined"
        public static let deployableChanged = "deployable.changed"
        public static let deployableDeleted = "deployable.deleted"
        public static let assemblyDefined = "assembly.defined"
        public static let assemblyChanged = "assembly.changed"
        public static let assemblyDeleted = "assembly.deleted"
    }

    static func recordDeployableEvent(
        _ deployable: String, assembly: String? = nil, kind: String, _ message: String, _ db: Database
    ) throws {
        try append([StoredEvent(at: now, deployable: deployable, assembly: assembly, kind: kind, message: message)], db)
    }

    /// An assembly's change, once for every deployable that lists it (their definitions changed with
    /// it), or once under no deployable (`""`) when none does.
    static func recordAssemblyEvent(_ assembly: String, kind: String, _ message: String, _ db: Database) throws {
        let users = try String.fetchAll(
            db, sql: "SELECT deployable FROM deployableAssembly WHERE assembly = ? ORDER BY deployable", arguments: [assembly])
        try append(
            (users.isEmpty ? [""] : users).map {
                StoredEvent(at: now, deployable: $0, assembly: assembly, kind: kind, message: message)
            }, db)
    }

    /// "deployable NAME defined: N assemblies, M resources" (or "redefined"), on both backends.
    static func definedMessage(_ deployable: Deployable, redefined: Bool) -> String {
        let resources = deployable.assemblies.reduce(0) { $0 + $1.resources.count }
        return
            "deployable \(deployable.name) \(redefined ? "redefined" : "defined"): \(deployable.assemblies.count) assemblies, \(resources) resources"
    }
}
