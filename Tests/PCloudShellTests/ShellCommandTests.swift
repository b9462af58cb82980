import Foundation
import PCloudTestSupport
import Testing

@Test func theOriginalWalkthroughWorksCommandForCommand() throws {
    // The man-page walkthrough of the original (pacemaker-cloud-spec 2.5), with today's image name.
    let shell = try ShellHarness()
    for command in [
        ["assembly_create", "assy1", "debian12"], ["assembly_clone", "assy1", "assy2"],
        ["assembly_resource_add", "httpdone", "httpd", "assy1"], ["assembly_resource_add", "httpdtwo", "httpd", "assy2"],
        ["deployable_create", "dep1"], ["deployable_assembly_add", "dep1", "assy1"], ["deployable_assembly_add", "dep1", "assy2"],
        ["escalation_resource_set", "httpdone", "assy1", "3", "60"], ["escalation_assembly_set", "assy1", "2", "600"],
    ] {
        let result = try shell.run(command)
        #expect(result.status == 0, "\(command.joined(separator: " ")): \(result.stderr)")
    }
    let list = try shell.run("deployable_assembly_list", "dep1", "--json")
    let assemblies = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [[String: Any]]
    #expect(assemblies.map { $0["name"] as! String } == ["assy1", "assy2"])
    #expect(assemblies[0]["escalation"] as? String == "2 in 10m")
    let resources = assemblies[0]["resources"] as! [[String: Any]]
    #expect(resources[0]["name"] as? String == "httpdone" && resources[0]["escalation"] as? String == "3 in 1m")
    let xml = try shell.run("deployable_export", "dep1", "--format", "xml")
    #expect(xml.stdout.contains(#"<service name="httpdone" class="lsb" type="httpd" monitor_interval="10" escalation_failures="3" escalation_period="60"/>"#))
}

@Test func exitCodesSayOkFailureOrUsage() throws {
    let shell = try ShellHarness()
    #expect(try shell.run("deployable_list").status == 0)
    let missing = try shell.run("deployable_assembly_list", "nope")
    #expect(missing.status == 1)
    #expect(missing.stderr == "error: deployable 'nope' does not exist\n")
    #expect(try shell.run("no_such_command").status == 2)
    #expect(try shell.run("assembly_create").status == 2, "a missing argument is a usage error")
    #expect(try shell.run("escalation_assembly_set", "x", "three", "60").status == 2)
    #expect(try shell.run("--help").status == 0)
}

@Test func mistakesAreExplainedWithTheirFix() throws {
    let shell = try ShellHarness()
    _ = try shell.run("assembly_create", "web")
    let template = try shell.run("assembly_resource_add", "r", "ngix", "web")
    #expect(template.status == 1 && template.stderr.contains("no resource template 'ngix' (did you mean 'nginx'?)"))
    _ = try shell.run("assembly_resource_add", "r", "nginx", "web")
    let twice = try shell.run("assembly_resource_add", "r", "nginx", "web")
    #expect(twice.stderr == "error: resource 'r' is already in assembly 'web'\n")
    _ = try shell.run("deployable_create", "dep")
    _ = try shell.run("deployable_assembly_add", "dep", "web")
    let delete = try shell.run("assembly_delete", "web")
    #expect(delete.status == 1 && delete.stderr.contains("is in deployable 'dep'; remove it from there first"))
    let infra = try shell.run("deployable_create", "d2", "libvrt")
    #expect(infra.status == 2 && infra.stderr.contains("did you mean 'libvirt'?"))
}

@Test func importingAYAMLDeployableWritesItsUUIDBackOnce() throws {
    let shell = try ShellHarness()
    let file = shell.directory.appendingPathComponent("Deployables/demo.yaml")
    let before = try String(contentsOf: file, encoding: .utf8)
    #expect(!before.contains("\nuuid:"))
    let result = try shell.run("deployable_import", "Deployables/demo.yaml")
    #expect(result.status == 0, "\(result.stderr)")
    let after = try String(contentsOf: file, encoding: .utf8)
    let uuidLine = try #require(after.split(separator: "\n").first { $0.hasPrefix("uuid: ") })
    #expect(result.stdout.contains(String(uuidLine.dropFirst(6))))
    #expect(after.replacingOccurrences(of: "\(uuidLine)\n", with: "") == before, "only the uuid line was added")
    let again = try shell.run("deployable_import", "Deployables/demo.yaml", "--replace")
    #expect(again.status == 0)
    #expect(try String(contentsOf: file, encoding: .utf8) == after, "the uuid is written once")
}

@Test func validateReportsEveryBadFileWithItsLocation() throws {
    let shell = try ShellHarness()
    let good = try shell.run("validate", ".")
    #expect(good.status == 0, "\(good.stdout)")
    #expect(good.stdout.contains("ok      ./Deployables/demo.yaml"))
    try "name: x\nassemblies: [demo-bak]\n".write(to: shell.directory.appendingPathComponent("Deployables/typo.yaml"),
                                                   atomically: true, encoding: .utf8)
    let bad = try shell.run("validate", "Deployables/typo.yaml")
    #expect(bad.status == 1)
    #expect(bad.stdout.contains("Deployables/typo.yaml:2:14: assemblies[0]: no assembly 'demo-bak' in Assemblies/ (did you mean 'demo-back'?)"))
}

@Test func theInteractiveShellRunsCommandsAndKeepsHistory() throws {
    let shell = try ShellHarness()
    let session = try shell.run([], input: "assembly_create web\nassembly_list\nhelp assembly_create\nbogus\nhistory\n!2\nquit\n")
    #expect(session.status == 0)
    #expect(session.stdout.hasPrefix("Welcome to pcloudsh"))
    #expect(session.stdout.contains("pcloudsh# "))
    #expect(session.stdout.contains("Assembly web created"))
    #expect(session.stdout.contains("USAGE: pcloudsh assembly_create"))
    #expect(session.stdout.contains("    2  assembly_list"))
    #expect(session.stdout.components(separatedBy: "256 MiB").count == 3, "!2 repeated assembly_list")
    #expect(session.stdout.hasSuffix("Shell completed!\n"))
    let history = try String(contentsOf: shell.directory.appendingPathComponent(".pcloudsh_history"), encoding: .utf8)
    #expect(history.hasPrefix("assembly_create web\nassembly_list\n"))
    let eof = try shell.run([], input: "deployable_list\n")
    #expect(eof.status == 0 && eof.stdout.hasSuffix("Shell completed!\n"), "end of input leaves the shell")
}

@Test func completionScriptsAreGenerated() throws {
    let shell = try ShellHarness()
    let bash = try shell.run("--generate-completion-script", "bash")
    #expect(bash.status == 0 && bash.stdout.contains("deployable_create"))
}

@Test func aKilledImportLeavesTheStoreAsItWas() throws {
    try killAnImportHalfWay(try ShellHarness())
}

@Test func aKilledImportLeavesAPostgresStoreAsItWas() throws {
    if let reason = PostgresServer.missing {
        print("skipping: \(reason)")
        return
    }
    let server = try PostgresServer.shared()
    // The server rolls back the transaction of a connection that dies.
    try killAnImportHalfWay(try ShellHarness(store: server.socketURL(try server.createDatabase())))
}

private func killAnImportHalfWay(_ shell: ShellHarness) throws {
    #expect(try shell.run("deployable_import", "Deployables/demo.yaml").status == 0)
    // Kill an import half-way through its transaction (the store's test hook pauses it there).
    let process = Process()
    process.executableURL = URL(fileURLWithPath: BuiltProducts.path("pcloudsh"))
    process.arguments = ["deployable_import", "Deployables/wordpress.yaml"]
    process.currentDirectoryURL = shell.directory
    var environment = ProcessInfo.processInfo.environment
    environment["PCLOUD_STORE"] = shell.store
    environment["PCLOUD_STORE_PAUSE_MID_WRITE"] = "1"
    process.environment = environment
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    var seen = Data()
    while !String(decoding: seen, as: UTF8.self).contains("paused mid-write") {
        let chunk = err.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        seen.append(chunk)
    }
    #expect(String(decoding: seen, as: UTF8.self).contains("paused mid-write"))
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    let list = try shell.run("assembly_list", "--json")
    #expect(list.status == 0)
    let names = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [[String: Any]]).map { $0["name"] as! String }
    #expect(names == ["demo-back", "demo-front"], "the killed import's first assembly must not be there")
    #expect(try shell.run("deployable_list").stdout.contains("wordpress") == false)
    #expect(try shell.run("deployable_import", "Deployables/wordpress.yaml").status == 0, "the store is usable afterwards")
}

@Test func xmlExportRefusesToDropWhatTheOriginalFormatCannotHoldUnlessAskedTo() throws {
    let shell = try ShellHarness()
    #expect(try shell.run("deployable_import", "Deployables/clusterip.yaml").status == 0)
    let refused = try shell.run("deployable_export", "clusterip", "--format", "xml")
    #expect(refused.status == 1)
    #expect(refused.stdout.isEmpty, "nothing half written")
    #expect(refused.stderr.contains("cannot hold resource ClusterIP (clone CloneIP of 33 over a, b)"))
    #expect(refused.stderr.contains("export it as YAML, or pass --lossy"))
    let lossy = try shell.run("deployable_export", "clusterip", "--format", "xml", "--lossy")
    #expect(lossy.status == 0)
    #expect(lossy.stderr.contains("warning: left out of the XML: resource ClusterIP"))
    #expect(lossy.stdout.contains(#"<assembly name="a""#) && !lossy.stdout.contains("ClusterIP"))
    // The original walkthrough's deployable fits the format: no warning.
    for command in [["assembly_create", "assy1", "debian12"], ["deployable_create", "dep1"], ["deployable_assembly_add", "dep1", "assy1"]] {
        #expect(try shell.run(command).status == 0)
    }
    let plain = try shell.run("deployable_export", "dep1", "--format", "xml")
    #expect(plain.status == 0 && plain.stderr.isEmpty, "\(plain.stderr)")
}
