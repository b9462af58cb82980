import Foundation
import Testing

@testable import PCloudModel

/// What the original's XML says is what pcloud does, or it is said (docs/definitions.md).
private func service(failures: String, period: String, interval: String = "10") -> String {
    """
    <deployable name="d">
      <assemblies>
        <assembly name="a">
          <services>
            <service name="s" class="lsb" type="httpd" monitor_interval="\(interval)" escalation_failures="\(failures)" escalation_period="\(period)"/>
          </services>
        </assembly>
      </assemblies>
    </deployable>
    """
}

private struct Outcome {
    var limit: EscalationLimit?
    var warnings: [String] = []
    var errors: [String] = []
}

private func importing(_ xml: String) -> Outcome {
    var importer = OriginalXMLImport()
    do {
        let deployable = try importer.importDeployable(data: Data(xml.utf8), file: "t.xml")
        return Outcome(
            limit: deployable.assemblies.first?.resources.first?.escalation, warnings: importer.warnings.map(\.description))
    } catch let errors as DefinitionErrors {
        return Outcome(errors: errors.errors.map(\.description))
    } catch {
        return Outcome(errors: ["\(error)"])
    }
}

@Test func plainEscalationValuesMeanWhatTheOriginalRead() {
    #expect(importing(service(failures: "3", period: "60")).limit == EscalationLimit(failures: 3, period: .seconds(60)))
    for never in [("INFINITY", "INFINITY"), ("-1", "-1"), ("0", "10"), ("3", "0")] {
        let outcome = importing(service(failures: never.0, period: never.1))
        #expect(outcome.limit == nil && outcome.errors.isEmpty, "\(never)")
    }
}

@Test func aPeriodWithAUnitKeepsItsLimitAndSaysHowTheOriginalReadIt() {
    let tenMinutes = importing(service(failures: "3", period: "10m"))
    #expect(tenMinutes.limit == EscalationLimit(failures: 3, period: .seconds(600)), "never 'never escalate'")
    #expect(
        tenMinutes.warnings == [
            "t.xml:5:9: assemblies[0].services[0].escalation_period: '10m' is not a plain number of seconds: read as 10m (600 s); the original's engine read it as 10 s; write 600"
        ])
    #expect(importing(service(failures: "2", period: "1h")).limit?.period == .seconds(3600))
    let seconds = importing(service(failures: "2", period: "10s"))
    #expect(
        seconds.limit?.period == .seconds(10) && seconds.warnings[0].contains("as the original's engine read it too; write 10"))
    let fraction = importing(service(failures: "2", period: "2.5"))
    #expect(fraction.limit?.period == .milliseconds(2500) && fraction.warnings[0].contains("read it as 2 s"))
    let count = importing(service(failures: "3x", period: "60"))
    #expect(count.limit == EscalationLimit(failures: 3, period: .seconds(60)))
    #expect(
        count.warnings == [
            "t.xml:5:9: assemblies[0].services[0].escalation_failures: '3x' is not a whole number: read as 3, as the original's engine did; write 3"
        ])
    let half = importing(service(failures: "3", period: "INFINITY"))
    #expect(half.limit == nil && half.warnings.count == 1 && half.warnings[0].contains("give both to escalate"))
}

@Test func anUnreadableEscalationValueIsRefusedNotTurnedIntoNever() {
    #expect(
        importing(service(failures: "3", period: "soon")).errors == [
            "t.xml:5:9: assemblies[0].services[0].escalation_period: expected a number of seconds, or INFINITY for never, got 'soon' (the original read it as never escalate; pcloud will not guess)"
        ])
    #expect(importing(service(failures: "often", period: "60")).errors.count == 1)
}

@Test func aCompoundMonitorIntervalIsReadWhollyWithAWarning() {
    let outcome = importing(service(failures: "INFINITY", period: "INFINITY", interval: "1m10s"))
    #expect(
        outcome.warnings == [
            "t.xml:5:9: assemblies[0].services[0].monitor_interval: '1m10s' is read as 70 s, but the original's pipeline (cf2pe.xsl into Pacemaker) read only its first part, 60 s; write 70"
        ])
}

@Test func theXMLExportWritesPlainWholeSeconds() throws {
    var resource = Resource(
        name: "s", resourceClass: .systemd, type: "httpd", monitor: OperationTiming(interval: .seconds(70), timeout: .seconds(20))
    )
    resource.escalation = EscalationLimit(failures: 3, period: .seconds(600))
    var deployable = Deployable(name: "d", assemblies: [Assembly(name: "a", resources: [resource])])
    var xml = OriginalXMLExport.xml(deployable)
    #expect(xml.contains(#"class="lsb" type="httpd" monitor_interval="70" escalation_failures="3" escalation_period="600""#))
    #expect(OriginalXMLExport.unexpressible(deployable).isEmpty)
    deployable.assemblies[0].resources[0].monitor.interval = .milliseconds(500)
    xml = OriginalXMLExport.xml(deployable)
    #expect(xml.contains(#"monitor_interval="1""#), "rounded up, never 0")
    #expect(
        OriginalXMLExport.unexpressible(deployable) == [
            "resource a/s's monitor interval 500ms (whole seconds only: written as 1)"
        ])
}

@Test func theLossyExportNamesTheExecCommandsAndInitScriptsItCannotWrite() {
    let exec = Resource(
        name: "job", resourceClass: .exec, type: "", commands: ExecCommands(monitor: "test -f /run/x", start: "touch /run/x"))
    let script = Resource(name: "old", resourceClass: .lsb, type: "rc.local")
    let deployable = Deployable(name: "d", assemblies: [Assembly(name: "a", resources: [exec, script])])
    #expect(
        OriginalXMLExport.unexpressible(deployable) == [
            "exec resource a/job with its commands (monitor 'test -f /run/x', start 'touch /run/x'): the original has no exec class; left out",
            "lsb resource a/old is the init script /etc/init.d/rc.local, but the original ran class lsb as systemctl ... rc.local.service",
        ])
    let xml = OriginalXMLExport.xml(deployable)
    #expect(!xml.contains("exec") && !xml.contains(#"type="""#))
}

@Test func theMonitorAttributeMapsTheOriginalsMeanings() throws {
    for (text, method) in [
        ("active", MonitorSettings.Method.ssh), ("am", .ssh), ("ssh", .ssh), ("passive", .agent), ("pm", .agent),
        ("agent", .agent),
    ] {
        var importer = OriginalXMLImport()
        let deployable = try importer.importDeployable(
            data: Data(#"<deployable name="d" monitor="\#(text)"><assemblies/></deployable>"#.utf8), file: "m.xml")
        #expect(deployable.monitor.method == method && importer.warnings.isEmpty, "\(text)")
        #expect(OriginalXMLExport.xml(deployable).contains(#"monitor="\#(method == .ssh ? "active" : "passive")""#))
    }
}

@Test func aReferenceOutsideTheDeployableIsRefusedAsInYAML() {
    let outcome = importing(
        """
        <deployable name="d">
          <assemblies>
            <assembly name="a">
              <services>
                <service name="s" class="ocf" provider="heartbeat" type="Dummy" monitor_interval="10">
                  <parameters><parameter name="ip"><reference assembly="elsewhere" parameter="ipaddress"/></parameter></parameters>
                </service>
              </services>
            </assembly>
          </assemblies>
        </deployable>
        """)
    #expect(
        outcome.errors == [
            "t.xml:5:9: assemblies[0].services[0].parameters.ip: refers to assembly 'elsewhere', which is not in deployable 'd' (its assemblies: a)"
        ])
}

@Test func theOriginalsUUIDsAreKeptInEitherForm() {
    #expect(OriginalUUID.parse("9b1d0c4e8f2a4c1d9e3b7a6f5c4d3e2a") == UUID(uuidString: "9b1d0c4e-8f2a-4c1d-9e3b-7a6f5c4d3e2a"))
    #expect(OriginalUUID.parse("123456") == nil && OriginalUUID.parse("9b1d0c4e8f2a4c1d9e3b7a6f5c4d3e2g") == nil)
    #expect(OriginalUUID.text(UUID(uuidString: "9B1D0C4E-8F2A-4C1D-9E3B-7A6F5C4D3E2A")!) == "9b1d0c4e8f2a4c1d9e3b7a6f5c4d3e2a")
}
