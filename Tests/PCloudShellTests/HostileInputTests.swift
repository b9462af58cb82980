import Foundation
import PCloudTestSupport
import Testing

/// Values that once trapped pcloudsh or slipped through it: each ends in an error exit naming the
/// option, argument or file:line:column and field, never in a signal.

private func expectRefused(_ result: ShellHarness.Result, _ command: String, saying: String...) {
    #expect(!result.signalled, "\(command) was killed by signal \(result.status)")
    #expect(result.status != 0, "\(command) was accepted")
    for text in saying {
        #expect(result.stderr.contains(text) || result.stdout.contains(text), "\(command): \(result.stderr)\(result.stdout)")
    }
}

@Test func overflowingDurationOptionsAreRefusedNamingTheOptionAndTheMaximum() throws {
    let shell = try ShellHarness()
    _ = try shell.run("assembly_create", "a")
    _ = try shell.run("assembly_resource_add", "r", "nginx", "a")
    let socket = shell.directory.appendingPathComponent("no-cped.sock").path
    for value in ["1e300", "99999999999999999999d", "9223372036854775807ms", "100000000000000000s", "1e19"] {
        for command in [
            ["deployable_start", "--socket", socket, "--timeout", value, "d"],
            ["deployable_stop", "--socket", socket, "--timeout", value, "d"],
            ["deployable_wait", "--socket", socket, "--timeout", value, "d"],
        ] {
            expectRefused(try shell.run(command), command.joined(separator: " "), saying: "--timeout", "at most 365 days")
        }
        for command in [["escalation_assembly_set", "a", "3", value], ["escalation_resource_set", "r", "a", "3", value]] {
            expectRefused(try shell.run(command), command.joined(separator: " "), saying: "PERIOD", "at most 365 days")
        }
    }
}

@Test func definitionsWithOverflowingDurationsAreRefusedByValidateAndImport() throws {
    let shell = try ShellHarness()
    let yaml = shell.directory.appendingPathComponent("Deployables/crash1.yaml")
    try "name: crash1\ninfrastructure: {type: static}\nmonitor: {interval: 1e300}\nassemblies: [web]\n"
        .write(to: yaml, atomically: true, encoding: .utf8)
    let xml = shell.directory.appendingPathComponent("crash2.xml")
    try """
    <deployable name="crash2"><assemblies><assembly name="a"><services>
      <service name="s" class="lsb" type="httpd" monitor_interval="1e300"/>
    </services></assembly></assemblies></deployable>
    """.write(to: xml, atomically: true, encoding: .utf8)
    let yamlError = "Deployables/crash1.yaml:3:21: monitor.interval: '1e300' is too long: a duration is at most 365 days (365d)"
    let xmlError = "crash2.xml:2:3: assemblies[0].services[0].monitor_interval: '1e300' is too long"
    expectRefused(try shell.run("validate", "Deployables/crash1.yaml"), "validate yaml", saying: yamlError)
    expectRefused(try shell.run("deployable_import", "Deployables/crash1.yaml"), "import yaml", saying: yamlError)
    expectRefused(try shell.run("validate", "crash2.xml"), "validate xml", saying: xmlError)
    expectRefused(try shell.run("deployable_import", "crash2.xml"), "import xml", saying: xmlError)
    #expect(try shell.run("deployable_list", "--json").stdout.contains("crash") == false, "nothing was stored")
}

@Test func aTemplateNameThatIsAPathIsRefusedBeforeAnyFileIsRead() throws {
    let shell = try ShellHarness()
    _ = try shell.run("assembly_create", "a")
    let outside = shell.directory.appendingPathComponent("x")
    try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
    try "class: exec\nexec: {monitor: 'touch /tmp/pwned'}\n".write(
        to: outside.appendingPathComponent("evil.yaml"), atomically: true, encoding: .utf8)
    let result = try shell.run("assembly_resource_add", "r", "../../x/evil", "a")
    expectRefused(result, "assembly_resource_add with a path", saying: "template name: '../../x/evil' is not a valid name")
    let listed = try shell.run("assembly_resource_list", "a", "--json")
    let resources = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [Any]
    #expect(resources?.isEmpty == true, "nothing was added: \(listed.stdout)")
}

@Test func namesOutsideTheRuleAreRefusedByEveryCommandThatCreatesOne() throws {
    let shell = try ShellHarness()
    let long = String(repeating: "a", count: 100_000)
    expectRefused(
        try shell.run("assembly_create", long), "long assembly name",
        saying: "assembly name: 'aaaa", "is too long (100000 characters; at most 63)")
    for command in [
        ["assembly_create", "a b"], ["assembly_create", "../a"], ["deployable_create", "_x"], ["deployable_create", "a\nb"],
        ["assembly_create", "ok", "../../images/evil"], ["jeos_delete", "../../etc/passwd"], ["jeos_create", "../x"],
    ] {
        expectRefused(try shell.run(command), command.joined(separator: " "), saying: "is not a valid name")
    }
    _ = try shell.run("assembly_create", "a")
    expectRefused(try shell.run("assembly_resource_add", long, "nginx", "a"), "long resource name", saying: "is too long (100000 characters; at most 63)")
    expectRefused(
        try shell.run("assembly_resource_add", "r", "nginx", "a", "--param", "a/b=1"), "--param with a slash",
        saying: "--param name: 'a/b' is not a valid name")
}

@Test func aTemplateWithABadDurationIsReportedWithItsOwnFileLineAndField() throws {
    let shell = try ShellHarness()
    try "class: systemd\ntype: slow\nmonitor: {interval: 1e300}\n".write(
        to: shell.directory.appendingPathComponent("Assemblies/templates/slow.yaml"), atomically: true, encoding: .utf8)
    _ = try shell.run("assembly_create", "a")
    let added = try shell.run("assembly_resource_add", "r", "slow", "a")
    expectRefused(added, "assembly_resource_add slow", saying: "templates/slow.yaml:3:21: monitor.interval: '1e300' is too long")
    #expect(!added.stderr.contains("no resource template"))
    try "name: d\ninfrastructure: {type: static}\nassemblies:\n  - {name: b, address: 10.0.0.1, resources: [{name: r, template: slow}]}\n"
        .write(to: shell.directory.appendingPathComponent("Deployables/d.yaml"), atomically: true, encoding: .utf8)
    let validated = try shell.run("validate", "Deployables/d.yaml")
    expectRefused(
        validated, "validate d.yaml", saying: "templates/slow.yaml:3:21: monitor.interval: '1e300' is too long",
        "Deployables/d.yaml:4:66: assemblies[0].resources[0].template: resource template 'slow' has errors of its own (in slow.yaml)")
}
