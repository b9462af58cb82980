import Foundation
import PCloudModel
import Testing

@testable import PCloudPolicy

/// Maintenance (unmanaged) mode: monitored and reported, never repaired; probed again when it ends.
@Suite struct MaintenanceTests {
    /// db/mariadb, then web/httpd; web/cache beside it (its limit: escalate at the first failure).
    static func deployable() -> Deployable {
        func resource(_ name: String, _ escalation: EscalationLimit? = nil) -> Resource {
            Resource(
                name: name, resourceClass: .ocf, type: "Dummy", provider: "heartbeat",
                monitor: OperationTiming(interval: .seconds(1), timeout: .seconds(5)), escalation: escalation)
        }
        return Deployable(
            name: "shop", infrastructure: .static,
            assemblies: [
                Assembly(
                    name: "db", escalation: EscalationLimit(failures: 2, period: .seconds(60)), resources: [resource("mariadb")]),
                Assembly(
                    name: "web",
                    resources: [resource("httpd"), resource("cache", EscalationLimit(failures: 1, period: .seconds(60)))]
                ),
            ],
            ordering: [Ordering(first: ResourceID("db/mariadb")!, then: ResourceID("web/httpd")!)])
    }

    static let httpd = ResourceID("web/httpd")!

    /// Started, every resource found stopped and started.
    func running() -> Scenario {
        var scenario = Scenario(Self.deployable())
        scenario.bringUp()
        settle(&scenario)
        #expect(scenario.runtime.state == .running)
        return scenario
    }

    /// Answers every probe with "not running" and every start with "ok" until nothing is pending.
    func settle(_ scenario: inout Scenario) {
        while let (id, resource) = scenario.runtime.resources.sorted(by: { $0.key < $1.key }).first(where: {
            $0.value.pending != nil
        }) {
            scenario.complete(id.description, resource.pending!, resource.pending == .probe ? .notRunning : .ok)
        }
    }

    @Test func aResourceInMaintenanceThatStopsIsReportedAndNothingIsDoneAboutIt() {
        var scenario = running()
        let on = scenario.send(.maintenanceOn(.resource(Self.httpd), until: nil))
        #expect(allSteps(on) == ["maintenance-on web/httpd"])
        let actions = scenario.complete("web/httpd", .monitor, .notRunning)
        #expect(allSteps(actions) == ["unmanaged-failure web/httpd", "report degraded"])
        #expect(actions.first?.reason.contains("reported, nothing is done about it") == true)
        #expect(scenario.state("web/httpd") == .stopped)
        #expect(scenario.runtime.resources[Self.httpd]?.lastFailure?.code == .notRunning)
        // Failing again, time passing: nothing, not even a second report.
        scenario.advance(30)
        #expect(scenario.complete("web/httpd", .monitor, .notRunning).isEmpty)
        #expect(scenario.send(.tick).isEmpty)
        #expect(scenario.runtime.resources[Self.httpd]?.failures.total == 0)  // nothing counts towards escalation
    }

    @Test func leavingMaintenanceProbesFirstThenStartsWhatWasLeftStopped() {
        var scenario = running()
        scenario.send(.maintenanceOn(.resource(Self.httpd), until: nil))
        scenario.complete("web/httpd", .monitor, .notRunning)
        let off = scenario.send(.maintenanceOff(.resource(Self.httpd)))
        #expect(
            allSteps(off) == ["maintenance-off web/httpd", "cancel-monitor web/httpd", "probe web/httpd", "report recovering"])
        #expect(
            off.first { $0.step.description == "probe web/httpd" }?.reason
                == "web/httpd left maintenance: probing it before anything is done to it")
        let start = scenario.complete("web/httpd", .probe, .notRunning)
        #expect(steps(start) == ["start web/httpd"])
        #expect(start.first?.reason == "web/httpd left maintenance and was found not running: starting it")
        #expect(steps(scenario.complete("web/httpd", .start, .ok)) == ["monitor web/httpd every 1s"])
        #expect(scenario.runtime.state == .running)
        #expect(scenario.runtime.maintenance == nil)
    }

    @Test func aResourceStartedByHandDuringMaintenanceIsAdoptedNotRestarted() {
        var scenario = running()
        scenario.send(.maintenanceOn(.resource(Self.httpd), until: nil))
        scenario.complete("web/httpd", .monitor, .notRunning)
        // The operator starts it again by hand; the monitor sees it.
        #expect(allSteps(scenario.complete("web/httpd", .monitor, .ok)) == ["report running"])
        scenario.send(.maintenanceOff(.resource(Self.httpd)))
        let adopted = scenario.complete("web/httpd", .probe, .ok)
        #expect(allSteps(adopted) == ["monitor web/httpd every 1s", "adopted web/httpd", "report running"])
        #expect(
            adopted.first { $0.step == .adopted(Self.httpd) }?.reason
                == "web/httpd left maintenance and was found running: adopted as it is")
    }

    @Test func anEscalationThatWouldReachAnUnmanagedResourceRestartsOnlyWhatFailed() {
        var scenario = running()
        scenario.send(.maintenanceOn(.resource(Self.httpd), until: nil))
        let actions = scenario.complete("web/cache", .monitor, .notRunning)
        #expect(steps(actions) == ["cancel-monitor web/cache", "stop web/cache"])
        #expect(actions.first?.reason.contains("held back while web/httpd is in maintenance") == true)
        // Without maintenance the same failure restarts the whole assembly.
        var plain = running()
        #expect(steps(plain.complete("web/cache", .monitor, .notRunning)).contains("fence-assembly web"))
    }

    @Test func aLostGuestInMaintenanceIsReportedNotFencedAndReprobedWhenItAnswersAgain() {
        var scenario = running()
        scenario.send(.maintenanceOn(.assembly("web"), until: nil))
        let lost = scenario.send(.assemblyLost("web", reason: "liveness check failed: timeout"))
        #expect(allSteps(lost) == ["unmanaged-failure web", "report recovering"])
        #expect(scenario.runtime.assemblies["web"]?.state == .unreachable)
        #expect(scenario.send(.tick).isEmpty)
        // The operator's reboot is over: the guest answers, its resources are probed (nothing started).
        let back = scenario.send(
            .livenessChecked(
                "web", .alive(uptime: .seconds(3), bootID: "after-patching"), incarnation: scenario.incarnation("web")))
        #expect(steps(back) == ["cancel-monitor web/httpd", "cancel-monitor web/cache", "probe web/httpd", "probe web/cache"])
        #expect(steps(scenario.complete("web/httpd", .probe, .notRunning)).isEmpty)
        #expect(scenario.state("web/httpd") == .stopped)
    }

    @Test func anAssemblysEscalationToTheDeployableIsHeldBackWhileAnythingIsInMaintenance() {
        var scenario = running()
        scenario.send(.maintenanceOn(.resource(Self.httpd), until: nil))
        var all: [String] = []
        for _ in 0..<2 {
            all += allSteps(scenario.send(.assemblyLost("db", reason: "crashed")))
            scenario.send(.assemblyFenced("db"))
            scenario.send(.assemblyStarted("db", address: nil, hostname: nil))
            scenario.send(.assemblyReachable("db"))
            scenario.advance(1)
        }
        #expect(!all.contains("restart-deployable"))
        #expect(!all.contains("fence-assembly web"))
        #expect(
            scenario.log.last { $0.step == .restartAssembly("db") }?.reason.contains("escalating to deployable shop is held back")
                == true)
    }

    @Test func maintenanceRunsOutOnTheClock() {
        var scenario = running()
        scenario.send(.maintenanceOn(.resource(Self.httpd), until: scenario.now + 60))
        #expect(scenario.log.last?.reason.contains("into maintenance for 1m") == true)
        #expect(scenario.policy.nextWake(scenario.runtime) == scenario.now + 60)
        scenario.advance(59)
        #expect(scenario.send(.tick).isEmpty)
        scenario.advance(1)
        let ended = scenario.send(.tick)
        #expect(allSteps(ended).prefix(3) == ["maintenance-expired web/httpd", "cancel-monitor web/httpd", "probe web/httpd"])
        #expect(
            ended.first?.reason
                == "the maintenance of web/httpd ran out (it was set for 1m): what it covers is probed again, then managed")
    }

    @Test func stoppingTheDeployableLeavesAnAssemblyInMaintenanceRunning() {
        var scenario = running()
        scenario.send(.maintenanceOn(.assembly("db"), until: nil))
        scenario.send(.stop)
        for _ in 0..<10 {
            settleStops(&scenario)
            if scenario.runtime.assemblies["web"]?.pending == .stop { scenario.send(.assemblyStopped("web")) }
        }
        let everything = allSteps(scenario.log)
        #expect(everything.contains("stop-assembly web"))
        #expect(!everything.contains("stop db/mariadb") && !everything.contains("stop-assembly db"))
        #expect(scenario.runtime.state == .stopping)
        #expect(scenario.runtime.monitoring)
        // Out of maintenance, the stop is carried out.
        #expect(steps(scenario.send(.maintenanceOff(.assembly("db")))).contains("probe db/mariadb"))
        #expect(steps(scenario.complete("db/mariadb", .probe, .ok)).contains("stop db/mariadb"))
    }

    func settleStops(_ scenario: inout Scenario) {
        while let (id, _) = scenario.runtime.resources.sorted(by: { $0.key < $1.key }).first(where: { $0.value.pending == .stop })
        {
            scenario.complete(id.description, .stop, .ok)
        }
    }

    @Test func maintenanceIsStoredWithTheRuntimeAndOldRuntimesReadAsNone() throws {
        var scenario = running()
        scenario.send(.maintenanceOn(.resource(Self.httpd), until: 5_000))
        scenario.send(.maintenanceOn(.deployable, until: nil))
        let data = try JSONEncoder().encode(scenario.runtime)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""element":"web\/httpd""#) || text.contains(#""element":"web/httpd""#))
        let back = try JSONDecoder().decode(DeployableRuntime.self, from: data)
        #expect(back == scenario.runtime)
        // A controller restart keeps it: probes again, starts nothing.
        var resumed = Scenario(Self.deployable())
        resumed.runtime = Resumption.resume(back, guests: ["db": .running, "web": .running])
        resumed.send(.assemblyReachable("db"))
        resumed.send(.assemblyReachable("web"))
        for id in ["db/mariadb", "web/httpd", "web/cache"] { resumed.complete(id, .probe, .notRunning) }
        #expect(!allSteps(resumed.log).contains { $0.hasPrefix("start ") })
        // A runtime saved before maintenance existed has none.
        var plain = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(running().runtime)) as! [String: Any]
        plain["maintenance"] = nil
        let old = try JSONDecoder().decode(DeployableRuntime.self, from: try JSONSerialization.data(withJSONObject: plain))
        #expect(old.maintenance == nil && !old.inMaintenance)
    }

    @Test func elementsAreReadFromTheirText() {
        #expect(MaintenanceElement("") == .deployable)
        #expect(MaintenanceElement("web") == .assembly("web"))
        #expect(MaintenanceElement("web/httpd") == .resource(Self.httpd))
        #expect(MaintenanceElement("web/") == nil)
        #expect(MaintenanceElement("a/b/c") == nil)
    }
}
