import Foundation
import Testing

@testable import PCloudModel

/// The original's own files (Fixtures/original/ORIGIN.md says where each comes from): each imports,
/// exports in both formats, and reads back to the same deployable, field by field.
private let original = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/original")

private func expectSameFields(_ a: Deployable, _ b: Deployable, _ how: String) {
    #expect(
        a.name == b.name && a.uuid == b.uuid && a.monitor == b.monitor && a.ordering == b.ordering, "\(how): deployable fields")
    #expect(a.assemblies.map(\.name) == b.assemblies.map(\.name), "\(how): assemblies")
    for (x, y) in zip(a.assemblies, b.assemblies) {
        #expect(x.uuid == y.uuid && x.escalation == y.escalation && x.ssh == y.ssh, "\(how): assembly \(x.name)")
        #expect(x.resources.map(\.name) == y.resources.map(\.name), "\(how): resources of \(x.name)")
        for (r, s) in zip(x.resources, y.resources) {
            #expect(
                r.resourceClass == s.resourceClass && r.type == s.type && r.provider == s.provider,
                "\(how): \(x.name)/\(r.name) class")
            #expect(r.monitor.interval == s.monitor.interval, "\(how): \(x.name)/\(r.name) monitor interval")
            #expect(r.escalation == s.escalation, "\(how): \(x.name)/\(r.name) escalation")
            #expect(r.parameters == s.parameters, "\(how): \(x.name)/\(r.name) parameters")
        }
    }
    #expect(a == b, "\(how): the whole deployable")
}

@Test(arguments: ["shell_dep1.xml", "check_escalation.xml", "check_reconfig.xml"])
func theOriginalsFilesSurviveExportInBothFormats(file: String) throws {
    var importer = OriginalXMLImport()
    let imported = try importer.importDeployable(file: original.appendingPathComponent(file))
    let xml = OriginalXMLExport.xml(imported)
    #expect(OriginalXMLExport.unexpressible(imported).isEmpty)
    var again = OriginalXMLImport()
    let fromXML = try again.importDeployable(data: Data(xml.utf8), file: "export-\(file)")
    expectSameFields(imported, fromXML, "\(file) through XML:\n\(xml)")
    #expect(again.warnings.isEmpty, "pcloud's XML export reads back without warnings: \(again.warnings)")
    let yaml = YAMLExport.yaml(imported)
    let fromYAML = try DefinitionLoader().parseDeployable(text: yaml, file: "export-\(file).yaml")
    expectSameFields(imported, fromYAML, "\(file) through YAML:\n\(yaml)")
}

@Test func theShellsDeployableKeepsItsAssemblyUUIDsAndMeaning() throws {
    var importer = OriginalXMLImport()
    let dep1 = try importer.importDeployable(file: original.appendingPathComponent("shell_dep1.xml"))
    let assy1 = try #require(dep1.assembly(named: "assy1"))
    #expect(assy1.uuid.map(OriginalUUID.text) == "9b1d0c4e8f2a4c1d9e3b7a6f5c4d3e2a")
    #expect(assy1.resources[0].resourceClass == .systemd, "the original ran lsb as systemctl ... httpd.service")
    #expect(importer.warnings.isEmpty)
    #expect(
        importer.notes.map(\.description)
            == [
                "Fixtures/original/shell_dep1.xml:2:1: deployable.uuid: 'dep1' is not a uuid (the original's shell wrote the name there): pcloud gives the deployable its own when it is stored"
            ].map { $0.replacingOccurrences(of: "Fixtures/original/", with: original.relativePath + "/") })
    let xml = OriginalXMLExport.xml(dep1)
    #expect(
        xml.contains(
            #"<assembly name="assy1" uuid="9b1d0c4e8f2a4c1d9e3b7a6f5c4d3e2a" escalation_failures="2" escalation_period="600">"#))
    #expect(
        xml.contains(
            #"<service name="httpdone" class="lsb" type="httpd" monitor_interval="10" escalation_failures="3" escalation_period="60"/>"#
        ))
    #expect(xml.contains(#"monitor="active""#))
}

@Test func theEscalationTestsConfigWarnsOfItsUnknownMonitorAndNotesItsIDs() throws {
    var importer = OriginalXMLImport()
    let foo = try importer.importDeployable(file: original.appendingPathComponent("check_escalation.xml"))
    #expect(foo.assembly(named: "bar")?.resources[0].escalation == EscalationLimit(failures: 2, period: .seconds(10)))
    #expect(importer.warnings.map(\.path) == ["deployable.monitor"])
    #expect(importer.warnings[0].message.hasPrefix("'tester' is not one of active, passive, am, pm, ssh, agent"))
    #expect(importer.notes.map(\.path) == ["deployable.uuid", "assemblies[0].uuid", "assemblies[0].services[0].paramaters"])
    #expect(
        importer.notes[2].message.hasPrefix("the original's shell wrote its parameters misspelt, so its engine never passed them")
    )
}

@Test(
    arguments: try FileManager.default.contentsOfDirectory(atPath: original.appendingPathComponent("resource_templates").path)
        .sorted())
func everyOriginalTemplateIsShippedWithItsClassTypeAndIntervalOrAReason(file: String) throws {
    let name = String(file.dropLast(4))
    let data = try Data(contentsOf: original.appendingPathComponent("resource_templates/\(file)"))
    let imported = try OriginalTemplateXML.read(data: data, file: file, name: name)
    #expect(imported.warnings.isEmpty)
    let shippedFile = packageRoot.appendingPathComponent("Assemblies/templates/\(name).yaml")
    let shipped = try DefinitionLoader(root: packageRoot).loadTemplate(named: name)
    let same =
        shipped.resourceClass == imported.resource.resourceClass && shipped.type == imported.resource.type
        && shipped.provider == imported.resource.provider && shipped.monitor.interval == imported.resource.monitor.interval
    if !same {
        let comments = try String(contentsOf: shippedFile, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("#") }
        #expect(
            comments.contains { $0.contains("original") }, "\(name) differs from the original's \(file) without a stated reason")
    }
}

@Test func anOriginalTemplateBecomesATemplatePCloudLoads() throws {
    let data = try Data(contentsOf: original.appendingPathComponent("resource_templates/dummy.xml"))
    let imported = try OriginalTemplateXML.read(data: data, file: "dummy.xml", name: "dummy")
    #expect(
        imported.resource.resourceClass == .ocf && imported.resource.provider == "heartbeat" && imported.resource.type == "Dummy")
    #expect(imported.resource.parameters == [Parameter(name: "fake", value: .literal("1"))])
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try OriginalTemplateXML.yaml(imported.resource, origin: "dummy.xml").write(
        to: directory.appendingPathComponent("dummy.yaml"), atomically: true, encoding: .utf8)
    let loaded = try DefinitionLoader(assembliesDirectory: nil, templatesDirectory: directory).loadTemplate(named: "dummy")
    #expect(loaded.resourceClass == .ocf && loaded.type == "Dummy" && loaded.monitor.interval == .seconds(70))
    #expect(loaded.parameters == imported.resource.parameters)
    #expect(throws: DefinitionErrors.self) {
        try OriginalTemplateXML.read(data: Data("<service type=\"x\"/>".utf8), file: "bad.xml", name: "bad")
    }
}
