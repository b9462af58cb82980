/// Runs `DefinitionRules` on what the YAML readers built and reports what they find at the place the
/// assembly was listed (or the file's start). The readers apply the same rules field by field, so this
/// normally finds nothing; it keeps the guarantee that a loaded definition obeys every rule.
struct RuleReport {
    let file: String
    let diagnostics: Diagnostics

    private var start: SourceLocation { SourceLocation(file: file, line: 1, column: 1) }

    private func report(_ location: SourceLocation, _ prefix: String, _ field: String, _ message: String) {
        let path = prefix.isEmpty ? field : "\(prefix).\(field)"
        diagnostics.report(DefinitionError(location: location, path: path, message: message))
    }

    func deployable(_ deployable: Deployable, sites: DefinitionSites) {
        for problem in DefinitionRules.problems(in: deployable) {
            switch problem.place {
            case .deployable:
                report(start, "", problem.field, problem.message)
            case .assembly(let index):
                let name = deployable.assemblies[index].name
                report(sites.assemblies[name]?.location ?? start, "assemblies[\(index)]", problem.field, problem.message)
            case .resource(let index, let resource):
                let name = deployable.assemblies[index].name
                report(
                    sites.assemblies[name]?.location ?? start, "assemblies[\(index)].resources[\(resource)]", problem.field,
                    problem.message)
            case .placed(let index):
                report(start, "resources[\(index)]", problem.field, problem.message)
            }
        }
    }

    func assembly(_ assembly: Assembly) {
        for problem in DefinitionRules.problems(in: assembly) { report(start, "", problem.field, problem.message) }
        for (index, resource) in assembly.resources.enumerated() { self.resource(resource, path: "resources[\(index)]") }
    }

    func resource(_ resource: Resource, path: String) {
        for problem in DefinitionRules.problems(in: resource) { report(start, path, problem.field, problem.message) }
    }
}
