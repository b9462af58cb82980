import PCloudModel

/// What a membership change may do, checked the same way by both backends (on the deployable as
/// the transaction read it), so SQLite and PostgreSQL cannot drift apart.
enum MembershipRules {
    /// An assembly leaves a deployable only if it is a member and no ordering names it.
    static func checkRemoval(of assembly: String, from current: Deployable?, named deployable: String) throws {
        guard let current else { throw StoreError.notFound(kind: "deployable", name: deployable) }
        guard current.assembly(named: assembly) != nil else {
            throw StoreError.notMember(assembly: assembly, deployable: deployable)
        }
        let ordering = current.ordering.filter { $0.first.assembly == assembly || $0.then.assembly == assembly }
        guard ordering.isEmpty else {
            throw StoreError.invalid(
                "assembly '\(assembly)' is named in the ordering of deployable '\(deployable)' "
                    + "(\(ordering.map { "\($0.first) before \($0.then)" }.joined(separator: ", ")))")
        }
    }
}
