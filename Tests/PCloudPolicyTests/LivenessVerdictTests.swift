import PCloudModel
import PCloudPolicy
import Testing

/// The verdicts on a guest's liveness and power reports, as scenarios: reboots behind our back, the
/// boot timeout, a host key that does not match, which infrastructure reports count.
struct LivenessVerdictTests {
    private func running() -> Scenario {
        var scenario = Scenario(originalTestDeployable(), bootTimeout: .seconds(60))
        scenario.send(.start)
        scenario.send(.assemblyStarted("bar", address: "192.0.2.1", hostname: nil))
        scenario.send(.livenessChecked("bar", .alive(uptime: .seconds(5), bootID: "boot-1"), incarnation: 0))
        return scenario
    }

    private func lost(_ actions: [PlannedAction]) -> String? {
        guard allSteps(actions).contains("restart-assembly bar") || allSteps(actions).contains("fence-assembly bar") else {
            return nil
        }
        return actions.first { $0.step == .restartAssembly("bar") }?.reason ?? ""
    }

    @Test func theFirstAnswerMakesAStartingGuestRunningAndRemembersItsBootID() {
        let scenario = running()
        #expect(scenario.runtime.assemblies["bar"]?.state == .running)
        #expect(scenario.runtime.assemblies["bar"]?.bootID == "boot-1")
        #expect(scenario.runtime.assemblies["bar"]?.uptime == 5)
    }

    @Test func aNewBootIDIsARebootBehindOurBack() {
        var scenario = running()
        let actions = scenario.send(.livenessChecked("bar", .alive(uptime: .seconds(900), bootID: "boot-2"), incarnation: 0))
        #expect(lost(actions)?.contains("new boot id") == true, "\(actions)")
        #expect(scenario.runtime.assemblies["bar"]?.state != .running)
    }

    @Test func anUptimeThatGoesDownIsARebootBehindOurBack() {
        var scenario = running()
        scenario.send(.livenessChecked("bar", .alive(uptime: .seconds(60), bootID: nil), incarnation: 0))
        let actions = scenario.send(.livenessChecked("bar", .alive(uptime: .seconds(3), bootID: nil), incarnation: 0))
        #expect(lost(actions)?.contains("uptime went down") == true, "\(actions)")
    }

    @Test func anUptimeThatGrowsChangesNothing() {
        var scenario = running()
        let before = scenario.runtime
        let actions = scenario.send(.livenessChecked("bar", .alive(uptime: .seconds(65), bootID: "boot-1"), incarnation: 0))
        #expect(actions.isEmpty)
        #expect(scenario.runtime.sameApartFromChecks(before))
        #expect(scenario.runtime != before, "the uptime seen is noted down")
    }

    @Test func aRunningGuestThatDoesNotAnswerIsLost() {
        var scenario = running()
        let actions = scenario.send(.livenessChecked("bar", .unreachable(reason: "connection refused"), incarnation: 0))
        #expect(lost(actions)?.contains("liveness check failed: connection refused") == true, "\(actions)")
    }

    @Test func aStartingGuestIsLostOnlyAfterItsBootTimeout() {
        var scenario = Scenario(originalTestDeployable(), bootTimeout: .seconds(60))
        scenario.send(.start)
        scenario.send(.assemblyStarted("bar", address: "192.0.2.1", hostname: nil))
        scenario.advance(59)
        #expect(scenario.send(.livenessChecked("bar", .unreachable(reason: "timed out"), incarnation: 0)).isEmpty)
        #expect(scenario.runtime.assemblies["bar"]?.state == .starting)
        scenario.advance(2)
        let actions = scenario.send(.livenessChecked("bar", .unreachable(reason: "timed out"), incarnation: 0))
        #expect(lost(actions)?.contains("not reachable 1m after it was started: timed out") == true, "\(actions)")
    }

    @Test func anAdoptedGuestGetsAFullBootTimeoutFromItsFirstFailedCheck() {
        var scenario = running()
        scenario.runtime = Resumption.resume(scenario.runtime, guests: ["bar": .running])
        #expect(scenario.runtime.assemblies["bar"]?.state == .starting)
        scenario.advance(3_600)
        #expect(scenario.send(.livenessChecked("bar", .unreachable(reason: "timed out"), incarnation: 0)).isEmpty)
        scenario.advance(61)
        #expect(lost(scenario.send(.livenessChecked("bar", .unreachable(reason: "timed out"), incarnation: 0))) != nil)
    }

    @Test func aHostKeyMismatchIsReportedAndTheGuestIsLost() {
        var scenario = running()
        let actions = scenario.send(
            .livenessChecked(
                "bar",
                .hostKeyMismatch(expected: "ssh-ed25519 AAAAexpectedkey1234", presented: "ssh-ed25519 AAAAimpostorkey5678"),
                incarnation: 0))
        let refused = actions.first { $0.step == .hostKeyRefused("bar") }
        #expect(refused?.reason.contains("not the pinned ssh-ed25519 …ectedkey1234") == true, "\(actions)")
        #expect(lost(actions)?.contains("host key does not match") == true)
    }

    @Test func aResultFromAnEarlierIncarnationIsIgnored() {
        var scenario = running()
        scenario.send(.livenessChecked("bar", .unreachable(reason: "refused"), incarnation: 0))
        #expect(scenario.incarnation("bar") > 0)
        let stale = scenario.send(.livenessChecked("bar", .alive(uptime: .seconds(1), bootID: "boot-9"), incarnation: 0))
        #expect(!allSteps(stale).contains("restart-assembly bar"))
        #expect(scenario.runtime.assemblies["bar"]?.bootID != "boot-9")
    }

    @Test(arguments: [GuestPower.crashed, .stopped, .absent])
    func aCrashStopOrDisappearanceReportedByTheInfrastructureIsALoss(_ power: GuestPower) {
        var scenario = running()
        let actions = scenario.send(.guestReported("bar", power, reason: "crashed", source: "libvirt"))
        #expect(lost(actions)?.contains("libvirt reports the guest crashed") == true, "\(actions)")
    }

    @Test(arguments: [GuestPower.running, .starting, .paused, .unknown])
    func otherPowerReportsDoNotCount(_ power: GuestPower) {
        var scenario = running()
        #expect(scenario.send(.guestReported("bar", power, reason: "resumed", source: "libvirt")).isEmpty)
        #expect(scenario.runtime.assemblies["bar"]?.state == .running)
    }

    @Test func aGuestWeAreFencingIsNotLostAgainWhenTheInfrastructureSaysItStopped() {
        var scenario = running()
        scenario.send(.livenessChecked("bar", .unreachable(reason: "refused"), incarnation: 0))
        #expect(scenario.runtime.assemblies["bar"]?.pending == .fence)
        let actions = scenario.send(.guestReported("bar", .stopped, reason: "destroyed", source: "libvirt"))
        #expect(!allSteps(actions).contains("restart-assembly bar"))
    }
}
