import Foundation
import PCloudTestSupport
import Testing

/// The original pcloudsh's argument forms, run as its own material writes them.
private let originalFixtures = BuiltProducts.packageRoot.appendingPathComponent("Tests/PCloudModelTests/Fixtures/original")

/// An image builder for PCLOUD_BUILD_IMAGE that records what it was asked to build and makes the
/// three files jeos_list and jeos_delete look for (a real build is debootstrap as root, minutes long).
private func recordingBuilder(in shell: ShellHarness) throws -> (environment: [String: String], images: String) {
    let script = shell.directory.appendingPathComponent("record-build.sh")
    try """
    #!/bin/bash
    echo "$1 $2" >> "$2/builds"
    for suffix in img vmlinuz initrd; do echo built > "$2/$1.$suffix"; done
    """.write(to: script, atomically: true, encoding: .utf8)
    let images = shell.directory.appendingPathComponent("images").path
    try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
    return (["PCLOUD_BUILD_IMAGE": script.path], images)
}

@Test func theOriginalManPageExampleRunsAsWritten() throws {
    // man/pacemaker_cloud_example.8, up to deployable_start (which needs cped: PCloudDemoTests).
    let shell = try ShellHarness()
    let (environment, images) = try recordingBuilder(in: shell)
    let jeos = try shell.run(["jeos_create", "F14", "x86_64", "--images", images], environment: environment)
    #expect(jeos.status == 0, "\(jeos.stderr)")
    #expect(jeos.stdout.contains("F14 x86_64 is pcloud's debian12 image"))
    #expect(try String(contentsOfFile: "\(images)/builds", encoding: .utf8) == "debian12 \(images)\n")
    for line in [
        "assembly_create assy1 F14 x86_64", "assembly_clone assy1 assy2", "assembly_clone assy1 assy3",
        "assembly_resource_add httpdone httpd assy1", "assembly_resource_add httpdtwo httpd assy2",
        "assembly_resource_add httpdthree httpd assy3", "deployable_create dep1", "deployable_assembly_add dep1 assy1",
        "deployable_assembly_add dep1 assy2", "deployable_assembly_add dep1 assy3",
    ] {
        let result = try shell.run(line.split(separator: " ").map(String.init))
        #expect(result.status == 0, "\(line): \(result.stderr)")
    }
    let list = try shell.run("deployable_assembly_list", "dep1", "--json")
    let assemblies = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [[String: Any]]
    #expect(assemblies.map { $0["name"] as! String } == ["assy1", "assy2", "assy3"])
    #expect(assemblies.allSatisfy { $0["image"] as? String == "debian12" })
    // Each assembly has its own uuid, as the original's shell gave it, and the XML carries it.
    let xml = try shell.run("deployable_export", "dep1", "--format", "xml")
    let uuids = xml.stdout.split(separator: "\n").filter { $0.contains("<assembly ") }.compactMap { line in
        line.split(separator: "\"").dropFirst(3).first.map(String.init)
    }
    #expect(
        uuids.count == 3 && Set(uuids).count == 3 && uuids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) },
        "\(xml.stdout)")
    // "# or for an openstack deployment"
    let openstack = try shell.run("deployable_create", "dep2", "openstack", "tester")
    #expect(openstack.status == 0, "\(openstack.stderr)")
    #expect(openstack.stdout.contains("the original's USER 'tester' is not kept"))
}

@Test func theOriginalTestRunSequenceRunsAsWritten() throws {
    // tests/run.py's pcloudsh sequence as the spec (section 8, item 7) gives it: libvirt, user
    // pcloud_tester, F16, two assemblies with the httpd template; then its clean-up.
    let shell = try ShellHarness()
    let (environment, images) = try recordingBuilder(in: shell)
    for line in [
        "deployable_create d_F16_x86_64 libvirt pcloud_tester", "jeos_create F16 x86_64 --images \(images)",
        "assembly_create t_F16_x86_64_1 F16 x86_64", "assembly_clone t_F16_x86_64_1 t_F16_x86_64_2",
        "assembly_resource_add rcs_t_F16_x86_64_1 httpd t_F16_x86_64_1",
        "assembly_resource_add rcs_t_F16_x86_64_2 httpd t_F16_x86_64_2",
        "deployable_assembly_add d_F16_x86_64 t_F16_x86_64_1", "deployable_assembly_add d_F16_x86_64 t_F16_x86_64_2",
        "jeos_list --images \(images)",
        "deployable_assembly_remove d_F16_x86_64 t_F16_x86_64_1", "deployable_assembly_remove d_F16_x86_64 t_F16_x86_64_2",
        "assembly_delete t_F16_x86_64_1", "assembly_delete t_F16_x86_64_2", "deployable_delete d_F16_x86_64",
        "jeos_delete F16 x86_64 --images \(images)",
    ] {
        let result = try shell.run(line.split(separator: " ").map(String.init), environment: environment)
        #expect(result.status == 0, "\(line): \(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: "\(images)/debian12.img"), "jeos_delete F16 x86_64 removed the image")
}

@Test func theOriginalsFormsRefuseWhatPCloudCannotDoByName() throws {
    let shell = try ShellHarness()
    let aeolus = try shell.run("deployable_create", "d", "aeolus", "root")
    #expect(
        aeolus.status == 1
            && aeolus.stderr.contains("infrastructure 'aeolus' is not supported: the original accepted it but never ran it"))
    let ovirt = try shell.run("deployable_create", "d", "ovirt", "root", "pm")
    #expect(ovirt.status == 1 && ovirt.stderr.contains("infrastructure 'ovirt' is not supported"))
    let distro = try shell.run("assembly_create", "a", "F17", "x86_64")
    #expect(distro.status == 1)
    #expect(
        distro.stderr
            == "error: unknown distribution 'F17': the original's were F14, F15, F16, rhel61, U10 (all built as pcloud's debian12 image), or give a pcloud image name alone (did you mean 'F14'?)\n"
    )
    let arch = try shell.run("jeos_create", "F16", "i386")
    #expect(
        arch.status == 1 && arch.stderr.contains("unknown architecture 'i386' for F16: the original and pcloud build x86_64 only")
    )
    let monitor = try shell.run("deployable_create", "d", "libvirt", "root", "xm")
    #expect(monitor.status == 2 && monitor.stderr.contains("monitor must be am or pm"))
}

@Test func amIsSSHAndPmIsTheGuestAgentInBothForms() throws {
    let shell = try ShellHarness()
    #expect(try shell.run("deployable_create", "active", "libvirt", "root", "am").status == 0)
    #expect(try shell.run("deployable_create", "passive", "libvirt", "root", "pm").status == 0)
    #expect(try shell.run("deployable_create", "own", "libvirt", "agent").status == 0)
    let list = try shell.run("deployable_list", "--json")
    let rows = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [[String: Any]]
    let monitors = Dictionary(uniqueKeysWithValues: rows.map { ($0["name"] as! String, $0["monitor"] as! String) })
    #expect(monitors == ["active": "ssh", "passive": "agent", "own": "agent"])
    let xml = try shell.run("deployable_export", "passive", "--format", "xml")
    #expect(xml.stdout.contains(#"monitor="passive""#))
}

@Test func validateRefusesWhatImportWarnsAboutAndImportSaysIt() throws {
    let shell = try ShellHarness()
    let file = originalFixtures.appendingPathComponent("check_reconfig.xml").path
    let validate = try shell.run("validate", file)
    #expect(validate.status == 1)
    #expect(
        validate.stdout.contains(
            "warning: \(file):7:11: assemblies[0].services[0].configure_executable: bar/angus: configure_executable"))
    #expect(validate.stdout.contains("note: \(file):1:1: deployable.uuid: '123456' is not a uuid"))
    let imported = try shell.run("deployable_import", file)
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stderr.contains("warning: \(file):7:11: assemblies[0].services[0].configure_executable"))
    // What imports exports to YAML that validates.
    let yaml = try shell.run("deployable_export", "foo", "-o", "foo.yaml")
    #expect(yaml.status == 0)
    let again = try shell.run("validate", "foo.yaml")
    #expect(again.status == 0, "\(again.stdout)")
    let plain = try shell.run("validate", originalFixtures.appendingPathComponent("shell_dep1.xml").path)
    #expect(plain.status == 0 && plain.stdout.contains("ok      "), "notes alone leave a file valid: \(plain.stdout)")
}

@Test func anEscalationPeriodWithAUnitIsImportedWithAWarningAndExportedAsSeconds() throws {
    let shell = try ShellHarness()
    let xml = shell.directory.appendingPathComponent("ten.xml")
    try """
    <deployable name="ten">
      <assemblies>
        <assembly name="a" escalation_failures="2" escalation_period="10m">
          <services><service name="s" class="lsb" type="httpd" monitor_interval="1m10s"/></services>
        </assembly>
      </assemblies>
    </deployable>
    """.write(to: xml, atomically: true, encoding: .utf8)
    let validate = try shell.run("validate", "ten.xml")
    #expect(validate.status == 1 && validate.stdout.contains("'10m' is not a plain number of seconds"))
    let imported = try shell.run("deployable_import", "ten.xml")
    #expect(imported.status == 0 && imported.stderr.contains("the original's engine read it as 10 s"))
    let exported = try shell.run("deployable_export", "ten", "--format", "xml")
    #expect(exported.stdout.contains(#"escalation_failures="2" escalation_period="600""#))
    #expect(exported.stdout.contains(#"class="lsb" type="httpd" monitor_interval="70""#))
}

@Test func anOriginalTemplateFileIsImportedAndUsable() throws {
    let shell = try ShellHarness()
    let file = originalFixtures.appendingPathComponent("resource_templates/condor.xml").path
    let imported = try shell.run("template_import", file, "--name", "condor2", "--definitions", ".")
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stdout.contains("(systemd condor, monitor every 1m11s)"))
    #expect(try shell.run("template_import", file, "--name", "condor2", "--definitions", ".").status == 1, "no silent overwrite")
    _ = try shell.run("assembly_create", "a")
    let added = try shell.run("assembly_resource_add", "c", "condor2", "a")
    #expect(added.status == 0, "\(added.stderr)")
    let list = try shell.run("assembly_resource_list", "a", "--json")
    #expect(list.stdout.contains("condor"))
}
