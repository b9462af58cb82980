import ArgumentParser
import Foundation
import PCloudModel

struct TemplateImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template_import", abstract: "Add a resource template from one of the original's <resource> XML files.",
        discussion: """
            Reads the original's resource_templates/NAME.xml (class lsb is run as systemctl ... TYPE.service, \
            as the original ran it) and writes Assemblies/templates/NAME.yaml under --definitions.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The original's template file (NAME.xml).") var file: String
    @Option(help: "The template's name (default: the file's name without .xml).") var name: String?
    @Flag(help: "Replace a template of the same name.") var replace = false

    func run() throws {
        let url = URL(fileURLWithPath: file)
        let templateName = name ?? url.deletingPathExtension().lastPathComponent
        try Names.check(templateName, "template name")
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ShellFailure("\(file): cannot read the file: \(error.localizedDescription)")
        }
        let imported: OriginalTemplateXML.Imported
        do { imported = try OriginalTemplateXML.read(data: data, file: file, name: templateName) } catch let errors
            as DefinitionErrors
        {
            throw ShellFailure(errors.description)
        }
        for warning in imported.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        let directory = global.definitionsRoot.appendingPathComponent("Assemblies/templates")
        let target = directory.appendingPathComponent("\(templateName).yaml")
        if FileManager.default.fileExists(atPath: target.path), !replace {
            throw ShellFailure("template '\(templateName)' exists (\(target.relativePath)): pass --replace to overwrite it")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try OriginalTemplateXML.yaml(imported.resource, origin: "resource template \(url.lastPathComponent)")
            .write(to: target, atomically: true, encoding: .utf8)
        let r = imported.resource
        print(
            "Template \(templateName) written to \(target.relativePath) (\(r.resourceClass.rawValue) \(r.type), monitor every \(DurationText.format(r.monitor.interval)))."
        )
    }
}
