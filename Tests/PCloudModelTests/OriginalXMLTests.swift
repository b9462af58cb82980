import Foundation
import Testing
@testable import PCloudModel

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

@Test func theOriginalManPageDeployableImports() throws {
    var importer = OriginalXMLImport()
    let dep1 = try importer.importDeployable(file: fixtures.appendingPathComponent("dep1.xml"))
    #expect(dep1.name == "dep1")
    #expect(dep1.uuid == nil, "the original wrote the name as the uuid; pcloud generates a real one later")
    #expect(dep1.assemblies.map(\.name) == ["assy1", "assy2"])
    let assy1 = try #require(dep1.assembly(named: "assy1"))
    #expect(assy1.escalation == EscalationLimit(failures: 2, period: .seconds(600)))
    #expect(dep1.assembly(named: "assy2")?.escalation == nil, "INFINITY means never escalate")
    let httpd = try #require(assy1.resource(named: "httpdone"))
    #expect(httpd.resourceClass == .systemd && httpd.type == "httpd" && httpd.provider == nil, "lsb ran as systemctl")
    #expect(httpd.monitor.interval == .seconds(10))
    #expect(httpd.escalation == EscalationLimit(failures: 3, period: .seconds(60)))
}

@Test func theOriginalXMLRoundTripsThroughExport() throws {
    for fixture in ["dep1.xml", "foo.xml", "misspelt.xml"] {
        var first = OriginalXMLImport()
        let imported = try first.importDeployable(file: fixtures.appendingPathComponent(fixture))
        let exported = OriginalXMLExport.xml(imported)
        var second = OriginalXMLImport()
        let reimported = try second.importDeployable(data: Data(exported.utf8), file: "export.xml")
        #expect(reimported == imported, "\(fixture) changed on its way through export:\n\(exported)")
    }
}

@Test func theTestSuitesRichConfigImportsReferencesAndOrdering() throws {
    var importer = OriginalXMLImport()
    let foo = try importer.importDeployable(file: fixtures.appendingPathComponent("foo.xml"))
    let angus = try #require(foo.assembly(named: "bar")?.resource(named: "angus"))
    #expect(angus.parameters == [
        Parameter(name: "wp_user", value: .literal("wordpress")),
        Parameter(name: "mysql_ip", value: .reference(ParameterReference(assembly: "victim", parameter: .ipaddress))),
        Parameter(name: "mysql_hostname", value: .reference(ParameterReference(assembly: "victim", parameter: .hostname))),
    ])
    #expect(angus.monitor.interval == .seconds(1))
    #expect(angus.escalation == nil, "-1 means never escalate")
    #expect(foo.ordering == [Ordering(first: ResourceID("victim/andy")!, then: ResourceID("bar/angus")!)])
    #expect(importer.warnings.map(\.path) == ["deployable.monitor", "assemblies[0].services[0].configure_executable"])
}

@Test func theOriginalShellsMisspeltParametersAreAccepted() throws {
    var importer = OriginalXMLImport()
    let shell = try importer.importDeployable(file: fixtures.appendingPathComponent("misspelt.xml"))
    let dummy = try #require(shell.assembly(named: "a1")?.resource(named: "d"))
    #expect(dummy.parameters == [Parameter(name: "fake", value: .literal("1"))])
    #expect(dummy.resourceClass == .ocf && dummy.provider == "heartbeat" && dummy.type == "Dummy")
}

@Test func badOriginalXMLIsRejectedWithItsLocation() throws {
    var importer = OriginalXMLImport()
    #expect(throws: DefinitionErrors([DefinitionError(
        location: SourceLocation(file: "bad-class.xml", line: 5, column: 9), path: "assemblies[0].services[0].class",
        message: "expected one of lsb (run as systemctl ... TYPE.service, as the original did), ocf or systemd, got 'upstart'")])) {
        try importer.importDeployable(data: try Data(contentsOf: fixtures.appendingPathComponent("bad-class.xml")), file: "bad-class.xml")
    }
    do {
        _ = try importer.importDeployable(data: try Data(contentsOf: fixtures.appendingPathComponent("malformed.xml")), file: "malformed.xml")
        Issue.record("malformed XML was accepted")
    } catch let errors as DefinitionErrors {
        #expect(errors.errors.count == 1)
        #expect(errors.errors[0].location.file == "malformed.xml" && errors.errors[0].location.line == 3)
        #expect(errors.errors[0].message.hasPrefix("not well-formed XML"))
    }
}

@Test func exportedYAMLLoadsBackToTheSameDeployable() throws {
    let loader = DefinitionLoader(root: packageRoot)
    for name in ["demo", "wordpress", "clusterip"] {
        var deployable = try loader.loadDeployable(file: packageRoot.appendingPathComponent("Deployables/\(name).yaml"))
        deployable.uuid = UUID()
        let text = YAMLExport.yaml(deployable)
        let reloaded = try DefinitionLoader().parseDeployable(text: text, file: "\(name)-export.yaml")
        #expect(reloaded == deployable, "export of \(name):\n\(text)")
    }
}

@Test func theXMLExportNamesWhatTheOriginalFormatCannotHold() throws {
    let loader = DefinitionLoader(root: packageRoot)
    let clusterip = try loader.loadDeployable(file: packageRoot.appendingPathComponent("Deployables/clusterip.yaml"))
    #expect(OriginalXMLExport.unexpressible(clusterip) == ["resource ClusterIP (clone CloneIP of 33 over a, b)"])
    var demo = try loader.loadDeployable(file: packageRoot.appendingPathComponent("Deployables/demo.yaml"))
    // The demo's two resources are exec resources, which the original cannot run: named with their commands.
    let execs = OriginalXMLExport.unexpressible(demo).filter { $0.hasPrefix("exec resource") || $0.hasPrefix("ordering") }
    #expect(execs.count == 3 && execs[1].hasPrefix("exec resource demo-back/backend with its commands (monitor 'pgrep"))
    func rest(_ d: Deployable) -> [String] { OriginalXMLExport.unexpressible(d).filter { !execs.contains($0) } }
    #expect(rest(demo) == ["the deployable's own escalation limit"])
    demo.escalation = nil
    #expect(rest(demo).isEmpty)
    demo.hooks = Hooks(webhook: "http://127.0.0.1:9/hook")
    #expect(rest(demo) == ["its hooks"])
}
