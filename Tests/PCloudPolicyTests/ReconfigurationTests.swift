import PCloudModel
import Testing

@testable import PCloudPolicy

/// reconfig.test: two assemblies; bar's service refers to victim's address and starts after victim's
/// service. Each new guest gets a new address.
func reconfigDeployable() -> Deployable {
    let angus = Resource(
        name: "angus", resourceClass: .lsb, type: "httpd",
        parameters: [
            Parameter(name: "wp_user", value: .literal("wordpress")),
            Parameter(name: "mysql_ip", value: .reference(ParameterReference(assembly: "victim", parameter: .ipaddress))),
        ],
        monitor: OperationTiming(interval: .seconds(1), timeout: .seconds(5)))
    let andy = Resource(
        name: "andy", resourceClass: .lsb, type: "mysql", monitor: OperationTiming(interval: .seconds(1), timeout: .seconds(5)))
    return Deployable(
        name: "foo", infrastructure: .static,
        assemblies: [
            Assembly(name: "bar", escalation: EscalationLimit(failures: 3, period: .seconds(10)), resources: [angus]),
            Assembly(name: "victim", escalation: EscalationLimit(failures: 3, period: .seconds(10)), resources: [andy]),
        ],
        ordering: [Ordering(first: ResourceID("victim/andy")!, then: ResourceID("bar/angus")!)])
}

@Suite struct ReconfigurationTests {
    @Test func aReplacedGuestsNewAddressReachesTheResourcesThatReferToIt() {
        var scenario = Scenario(reconfigDeployable())
        scenario.bringUp(addresses: ["bar": "1.2.3.1", "victim": "1.2.3.2"])
        #expect(steps(scenario.log).filter { $0.hasPrefix("probe") } == ["probe bar/angus", "probe victim/andy"])
        // bar/angus waits for victim/andy, whatever order the probes answer in.
        #expect(steps(scenario.complete("bar/angus", .probe, .notRunning)).isEmpty)
        #expect(steps(scenario.complete("victim/andy", .probe, .notRunning)) == ["start victim/andy"])
        let started = scenario.complete("victim/andy", .start, .ok)
        #expect(steps(started) == ["monitor victim/andy every 1s", "start bar/angus"])
        #expect(started.last?.reason == "bar/angus is not running and victim/andy runs: starting it")
        guard case .start(_, let arguments) = started.last?.step else {
            Issue.record("no start")
            return
        }
        #expect(arguments.parameters == ["wp_user": "wordpress", "mysql_ip": "1.2.3.2"])
        scenario.complete("bar/angus", .start, .ok)
        #expect(scenario.runtime.state == .running)

        // victim dies: it is fenced, and bar/angus, which needs victim/andy, is stopped.
        let lost = scenario.send(.assemblyLost("victim", reason: "guest crashed"))
        #expect(
            steps(lost) == ["cancel-monitor victim/andy", "fence-assembly victim", "cancel-monitor bar/angus", "stop bar/angus"])
        scenario.complete("bar/angus", .stop, .ok)
        scenario.send(.assemblyFenced("victim"))
        scenario.send(.assemblyStarted("victim", address: "1.2.3.3", hostname: "victim"))
        scenario.send(.assemblyReachable("victim"))
        scenario.complete("victim/andy", .probe, .notRunning)
        let again = scenario.complete("victim/andy", .start, .ok)
        guard case .start(_, let restarted) = again.last?.step else {
            Issue.record("bar/angus not started again")
            return
        }
        #expect(restarted.parameters["mysql_ip"] == "1.2.3.3")
        let counts = Dictionary(grouping: steps(scenario.log).map { String($0.split(separator: " ")[0]) }, by: { $0 }).mapValues(
            \.count)
        #expect(counts["probe"] == 3)
        #expect(counts["start"] == 4)
    }

    /// Without an ordering, a running resource whose referenced address changed is restarted with it.
    @Test func aChangedReferenceWithoutOrderingRestartsTheResourceWithTheNewValue() {
        var deployable = reconfigDeployable()
        deployable.ordering = []
        var scenario = Scenario(deployable)
        scenario.bringUp(addresses: ["bar": "1.2.3.1", "victim": "1.2.3.2"])
        scenario.complete("bar/angus", .probe, .notRunning)
        scenario.complete("victim/andy", .probe, .notRunning)
        scenario.complete("bar/angus", .start, .ok)
        scenario.complete("victim/andy", .start, .ok)
        scenario.send(.assemblyLost("victim", reason: "guest crashed"))
        #expect(scenario.state("bar/angus") == .running)
        scenario.send(.assemblyFenced("victim"))
        let back = scenario.send(.assemblyStarted("victim", address: "1.2.3.9", hostname: nil))
        #expect(allSteps(back).contains("reconfigure bar/angus"))
        #expect(
            back.first { $0.step == .reconfigure(ResourceID("bar/angus")!) }?.reason
                == "bar/angus uses mysql_ip=1.2.3.9 now: restarting it with the new value")
        let start = scenario.complete("bar/angus", .stop, .ok)
        guard case .start(_, let arguments) = start.last?.step else {
            Issue.record("not started again")
            return
        }
        #expect(arguments.parameters["mysql_ip"] == "1.2.3.9")
    }

    /// Stopping goes in reverse order: bar/angus (which runs after victim/andy) stops first.
    @Test func stoppingHonoursOrderingInReverse() {
        var scenario = Scenario(reconfigDeployable())
        scenario.bringUp(addresses: ["bar": "1.2.3.1", "victim": "1.2.3.2"])
        scenario.complete("bar/angus", .probe, .notRunning)
        scenario.complete("victim/andy", .probe, .notRunning)
        scenario.complete("victim/andy", .start, .ok)
        scenario.complete("bar/angus", .start, .ok)
        #expect(steps(scenario.send(.stop)) == ["cancel-monitor bar/angus", "stop bar/angus"])
        #expect(
            steps(scenario.complete("bar/angus", .stop, .ok)) == [
                "cancel-monitor victim/andy", "stop victim/andy", "stop-assembly bar",
            ])
        #expect(steps(scenario.complete("victim/andy", .stop, .ok)) == ["stop-assembly victim"])
        scenario.send(.assemblyStopped("bar"))
        let last = scenario.send(.assemblyStopped("victim"))
        #expect(allSteps(last) == ["stop-monitoring", "report stopped"])
    }
}
