import Foundation
import Testing
@testable import PCloudModel

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Test func everyShippedDeployableLoadsAndValidates() throws {
    let loader = DefinitionLoader(root: packageRoot)
    let directory = packageRoot.appendingPathComponent("Deployables")
    let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
    #expect(files.contains("demo.yaml") && files.contains("wordpress.yaml"))
    for file in files {
        _ = try loader.loadDeployable(file: directory.appendingPathComponent(file))
    }
}

@Test func everyShippedTemplateLoads() throws {
    let loader = DefinitionLoader(root: packageRoot)
    let names = loader.templateNames()
    for expected in ["httpd", "apache2", "nginx", "mariadb", "mysqld", "postgresql", "chrony", "ntpd", "redis", "dummy"] {
        #expect(names.contains(expected), "template \(expected) is missing")
    }
    for name in names {
        let resource = try loader.loadTemplate(named: name)
        #expect(resource.name == name)
    }
}

@Test func wordpressWebFollowsTheDatabaseAddress() throws {
    let loader = DefinitionLoader(root: packageRoot)
    let wordpress = try loader.loadDeployable(file: packageRoot.appendingPathComponent("Deployables/wordpress.yaml"))
    #expect(wordpress.assemblies.map(\.name) == ["db", "web"])
    let apache = try #require(wordpress.assembly(named: "web")?.resource(named: "apache2"))
    #expect(apache.resourceClass == .systemd && apache.type == "apache2")
    #expect(apache.references == [ParameterReference(assembly: "db", parameter: .ipaddress)])
    #expect(apache.escalation == EscalationLimit(failures: 3, period: .seconds(60)))
    #expect(wordpress.ordering == [Ordering(first: ResourceID("db/mariadb")!, then: ResourceID("web/apache2")!)])
    #expect(wordpress.hooks.script == "/var/lib/pcloud/hooks/wordpress.sh")
}

@Test func theDemoIsTwoSmallLibvirtGuestsMonitoredOverSSH() throws {
    let demo = try DefinitionLoader(root: packageRoot)
        .loadDeployable(file: packageRoot.appendingPathComponent("Deployables/demo.yaml"))
    #expect(demo.assemblies.count == 2)
    #expect(demo.infrastructure == .libvirt(uri: "qemu:///system"))
    #expect(demo.monitor.method == .ssh && demo.monitor.interval == .seconds(3) && demo.monitor.timeout == .seconds(5))
    #expect(demo.assemblies.allSatisfy { $0.memoryMiB <= 256 && $0.image == "debian12" })
    let front = try #require(demo.assembly(named: "demo-front")?.resource(named: "frontend"))
    #expect(front.references == [ParameterReference(assembly: "demo-back", parameter: .ipaddress)])
    let back = try #require(demo.assembly(named: "demo-back")?.resource(named: "backend"))
    #expect(back.resourceClass == .exec)
    #expect(back.parameters.first { $0.name == "port" }?.value == .literal("8080"), "the assembly overrides the template")
    #expect(back.monitor.interval == .seconds(3))
}

@Test func templatesAreOverriddenFieldByField() throws {
    let loader = DefinitionLoader(root: packageRoot)
    let assembly = try loader.parseAssembly(text: """
        name: a
        resources:
          - name: web
            template: httpd
            monitor: {interval: 30s}
            on-fail: block
        """, file: "a.yaml")
    let web = try #require(assembly.resource(named: "web"))
    #expect(web.type == "httpd" && web.resourceClass == .systemd)
    #expect(web.monitor.interval == .seconds(30) && web.onFail == .block)
}
