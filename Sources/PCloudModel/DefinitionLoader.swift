import Foundation
import Yams

/// Loads and validates definitions: deployables, the assemblies they name (from `Assemblies/NAME.yaml`)
/// and resource templates (`Assemblies/templates/NAME.yaml`). Every problem in every file is reported at
/// once as `DefinitionErrors`, each naming file:line:column, the field path and what was expected.
public struct DefinitionLoader: Sendable {
    public var assembliesDirectory: URL?
    public var templatesDirectory: URL?

    public init(assembliesDirectory: URL? = nil, templatesDirectory: URL? = nil) {
        self.assembliesDirectory = assembliesDirectory
        self.templatesDirectory = templatesDirectory ?? assembliesDirectory?.appendingPathComponent("templates")
    }

    /// The layout of a pcloud tree: `ROOT/Assemblies` and `ROOT/Assemblies/templates`.
    public init(root: URL) {
        self.init(assembliesDirectory: root.appendingPathComponent("Assemblies"))
    }

    /// For a deployable file in `ROOT/Deployables/`, the tree it belongs to.
    public static func beside(_ deployableFile: URL) -> DefinitionLoader {
        DefinitionLoader(root: deployableFile.deletingLastPathComponent().deletingLastPathComponent())
    }

    public func loadDeployable(file: URL) throws -> Deployable {
        try parseDeployable(text: try readText(file), file: file.relativePath)
    }

    public func parseDeployable(text: String, file: String) throws -> Deployable {
        let diagnostics = Diagnostics()
        let sites = DefinitionSites()
        let deployable = compose(text, file: file, diagnostics: diagnostics).flatMap { root in
            decoder(diagnostics: diagnostics).decode(root, sites: sites)
        }
        if let deployable {
            DeployableValidation(deployable: deployable, sites: sites, diagnostics: diagnostics).run()
            if diagnostics.isEmpty {
                RuleReport(file: file, diagnostics: diagnostics).deployable(deployable, sites: sites)
            }
        }
        try diagnostics.throwIfAny()
        return deployable!
    }

    public func loadAssembly(file: URL) throws -> Assembly {
        try parseAssembly(text: try readText(file), file: file.relativePath)
    }

    public func parseAssembly(text: String, file: String) throws -> Assembly {
        let diagnostics = Diagnostics()
        let sites = DefinitionSites()
        let assembly = compose(text, file: file, diagnostics: diagnostics).flatMap {
            assemblyDecoding(diagnostics).decode($0, sites: sites)
        }
        if let assembly, diagnostics.isEmpty { RuleReport(file: file, diagnostics: diagnostics).assembly(assembly) }
        try diagnostics.throwIfAny()
        return assembly!
    }

    /// A resource template; its name defaults to the template's.
    public func loadTemplate(named name: String) throws -> Resource {
        if let problem = NameRule.problem(name) {
            throw DefinitionErrors([
                DefinitionError(
                    location: SourceLocation(file: "template", line: 1, column: 1), path: "template",
                    message: problem)
            ])
        }
        guard let directory = templatesDirectory else {
            throw DefinitionErrors([
                DefinitionError(
                    location: SourceLocation(file: name, line: 1, column: 1), path: "",
                    message: "no templates directory is configured")
            ])
        }
        let file = directory.appendingPathComponent("\(name).yaml")
        guard FileManager.default.fileExists(atPath: file.path) else {
            let known = templateNames()
            throw DefinitionErrors([
                DefinitionError(
                    location: SourceLocation(file: file.relativePath, line: 1, column: 1), path: "",
                    message: "no resource template '\(name)'\(DidYouMean.hint(for: name, among: known))")
            ])
        }
        let diagnostics = Diagnostics()
        let text = try readText(file)
        let resource = compose(text, file: file.relativePath, diagnostics: diagnostics).flatMap {
            resourceDecoding(diagnostics).decode($0, defaultName: name, sites: DefinitionSites())
        }
        if let resource, diagnostics.isEmpty {
            RuleReport(file: file.relativePath, diagnostics: diagnostics).resource(resource, path: "")
        }
        try diagnostics.throwIfAny()
        return resource!
    }

    public func templateNames() -> [String] {
        yamlNames(in: templatesDirectory)
    }

    public func assemblyNames() -> [String] {
        yamlNames(in: assembliesDirectory)
    }

    // MARK: - Plumbing

    private func yamlNames(in directory: URL?) -> [String] {
        guard let directory, let files = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    private func readText(_ file: URL) throws -> String {
        do {
            let data = try Data(contentsOf: file)
            guard let text = String(data: data, encoding: .utf8) else {
                throw DefinitionErrors([
                    DefinitionError(
                        location: SourceLocation(file: file.relativePath, line: 1, column: 1),
                        path: "", message: "the file is not UTF-8 text")
                ])
            }
            return text
        } catch let error as DefinitionErrors {
            throw error
        } catch {
            throw DefinitionErrors([
                DefinitionError(
                    location: SourceLocation(file: file.relativePath, line: 1, column: 1),
                    path: "", message: "cannot read the file: \(error.localizedDescription)")
            ])
        }
    }

    /// Parses YAML into a located root node; syntax errors become located definition errors.
    func compose(_ text: String, file: String, diagnostics: Diagnostics) -> YAMLField? {
        let start = SourceLocation(file: file, line: 1, column: 1)
        do {
            guard let node = try Yams.compose(yaml: text) else {
                diagnostics.report(DefinitionError(location: start, path: "", message: "the file is empty"))
                return nil
            }
            return YAMLField(node: node, path: "", file: file, diagnostics: diagnostics, fallback: start)
        } catch let error as YamlError {
            diagnostics.report(YAMLSyntaxError.definitionError(error, file: file, text: text))
            return nil
        } catch {
            diagnostics.report(DefinitionError(location: start, path: "", message: "not valid YAML: \(error)"))
            return nil
        }
    }

    private func resourceDecoding(_ diagnostics: Diagnostics) -> ResourceDecoding {
        ResourceDecoding(
            templates: { name in
                guard self.templateNames().contains(name) else { return .missing }
                do { return .found(try self.loadTemplate(named: name)) } catch let errors as DefinitionErrors {
                    return .invalid(errors)
                } catch {
                    return .missing
                }
            }, templateNames: templateNames)
    }

    private func assemblyDecoding(_ diagnostics: Diagnostics) -> AssemblyDecoding {
        AssemblyDecoding(resources: resourceDecoding(diagnostics))
    }

    private func decoder(diagnostics: Diagnostics) -> DeployableDecoding {
        DeployableDecoding(
            assemblies: assemblyDecoding(diagnostics),
            namedAssembly: { name, field in
                return self.resolveAssembly(named: name, at: field, diagnostics: diagnostics)
            })
    }

    /// An assembly written by name in a deployable: `Assemblies/NAME.yaml`, decoded into the same diagnostics.
    private func resolveAssembly(named name: String, at field: YAMLField, diagnostics: Diagnostics) -> Assembly? {
        let known = assemblyNames()
        guard let directory = assembliesDirectory, known.contains(name) else {
            let place = assembliesDirectory.map { " in \($0.lastPathComponent)/" } ?? ""
            field.error("no assembly '\(name)'\(place)\(DidYouMean.hint(for: name, among: known))")
            return nil
        }
        let file = directory.appendingPathComponent("\(name).yaml")
        guard let text = try? readText(file),
            let root = compose(text, file: file.relativePath, diagnostics: diagnostics)
        else { return nil }
        let assembly = assemblyDecoding(diagnostics).decode(root, sites: DefinitionSites())
        if let assembly, assembly.name != name {
            root.error("the assembly in \(name).yaml is named '\(assembly.name)'; the file name and the name must match")
            return nil
        }
        return assembly
    }
}
