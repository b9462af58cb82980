/// Places in the files that later cross-checks point back to (references, ordering, assembly names),
/// so an error found only once everything is loaded still names its file, line and field.
final class DefinitionSites {
    struct ReferenceSite {
        var reference: ParameterReference
        var location: SourceLocation
        var path: String
    }

    struct OrderingSite {
        var ordering: Ordering
        var location: SourceLocation
        var path: String
    }

    var references: [ReferenceSite] = []
    /// Where each assembly of a deployable was listed (by name or inline).
    var assemblies: [String: (location: SourceLocation, path: String)] = [:]
    var orderings: [OrderingSite] = []
}
