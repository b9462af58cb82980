import Foundation
import Testing
@testable import PCloudModel

/// The original's XML goes through the same rules as YAML: what the YAML path refuses, the XML import refuses too.
private func importErrors(_ xml: String) -> [String] {
    var importer = OriginalXMLImport()
    do {
        _ = try importer.importDeployable(data: Data(xml.utf8), file: "hostile.xml")
        return []
    } catch let errors as DefinitionErrors {
        return errors.errors.map { "\($0.location.line):\($0.location.column): \($0.path): \($0.message)" }
    } catch {
        return ["unexpected \(error)"]
    }
}

@Test func theXMLImportRefusesNamesTypesAndProvidersThatAreNotNames() {
    let errors = importErrors(
        """
        <deployable name="../../etc/evil">
          <assemblies>
            <assembly name="a/b">
              <services>
                <service name="my service" class="lsb" type="../../../bin/sh" monitor_interval="10s"/>
                <service name="x&#10;y" class="ocf" provider="../x" type="Dummy" monitor_interval="10s"/>
              </services>
            </assembly>
          </assemblies>
        </deployable>
        """)
    let rule = "use 1 to 63 letters, digits, '.', '_' and '-', starting with a letter or digit, without '..'"
    #expect(
        errors == [
            "1:1: deployable.name: '../../etc/evil' is not a valid name (\(rule))",
            "3:5: assemblies[0].name: 'a/b' is not a valid name (\(rule))",
            "5:9: assemblies[0].services[0].name: 'my service' is not a valid name (\(rule))",
            "5:9: assemblies[0].services[0].type: '../../../bin/sh' is not a valid type (use 1 to 128 letters, digits, '.', '_', '-' and '@', starting with a letter or digit, without '..')",
            "6:9: assemblies[0].services[1].name: 'x\\ny' is not a valid name (\(rule))",
            "6:9: assemblies[0].services[1].provider: '../x' is not a valid provider (use 1 to 128 letters, digits, '.', '_' and '-', starting with a letter or digit, without '..')",
        ])
}

@Test func theXMLImportRefusesAnExecServiceItCannotGiveCommandsTo() {
    let errors = importErrors(
        """
        <deployable name="d">
          <assemblies>
            <assembly name="a">
              <services><service name="s" class="exec" type="x" monitor_interval="10s"/></services>
            </assembly>
          </assemblies>
        </deployable>
        """)
    #expect(errors == [
        "4:17: assemblies[0].services[0].class: expected one of lsb (run as systemctl ... TYPE.service, as the original did), ocf or systemd, got 'exec'"
    ])
}

@Test func theXMLImportRefusesAnOverflowingMonitorIntervalAndEscalationPeriod() {
    let errors = importErrors(
        """
        <deployable name="d">
          <assemblies>
            <assembly name="a" escalation_failures="3" escalation_period="9223372036854775807">
              <services>
                <service name="s" class="lsb" type="httpd" monitor_interval="1e300"/>
                <service name="t" class="lsb" type="httpd" monitor_interval="nan"/>
              </services>
            </assembly>
          </assemblies>
        </deployable>
        """)
    #expect(
        errors == [
            "3:5: assemblies[0].escalation_period: too long: a duration is at most 365 days (365d)",
            "5:9: assemblies[0].services[0].monitor_interval: '1e300' is too long: a duration is at most 365 days (365d)",
            "6:9: assemblies[0].services[1].monitor_interval: expected a duration such as 10s, 2m, 500ms or a number of seconds, got 'nan'",
        ])
}

@Test func theXMLImportRefusesAParameterReferringToAnAssemblyThatIsNotAName() {
    let errors = importErrors(
        """
        <deployable name="d">
          <assemblies>
            <assembly name="a">
              <services>
                <service name="s" class="lsb" type="httpd" monitor_interval="10s">
                  <parameters><parameter name="ip"><reference assembly="../b" parameter="ipaddress"/></parameter></parameters>
                </service>
              </services>
            </assembly>
          </assemblies>
        </deployable>
        """)
    #expect(errors.count == 1)
    #expect(errors.first?.hasPrefix("5:9: assemblies[0].services[0].parameters.ip.ref.assembly: '../b' is not a valid name") == true)
}

@Test func theOriginalsUsernameIsANameReportedOnceOnTheDeployable() {
    let errors = importErrors(
        """
        <deployable name="d" username="root -oProxyCommand=x">
          <assemblies>
            <assembly name="a"/>
            <assembly name="b"/>
          </assemblies>
        </deployable>
        """)
    #expect(errors.count == 1)
    #expect(errors.first?.hasPrefix("1:1: deployable.username: 'root -oProxyCommand=x' is not a valid name") == true)
}
