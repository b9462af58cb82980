import PCloudModel
import PCloudPolicy
import Testing

@testable import PCloudController

/// The event after fencing says what really happened: a static host is not switched off.
struct FenceWordingTests {
    let deployable = Deployable(
        name: "shop", infrastructure: .static, assemblies: [Assembly(name: "db", address: "192.0.2.1")])

    func fencedMessage(switchesOff: Bool) -> String? {
        EngineEvents.events(
            for: .assemblyFenced("db"), [], deployable: "shop", runtime: DeployableRuntime(for: deployable), at: 0,
            fencingSwitchesOff: switchesOff
        ).first?.message
    }

    @Test func aFencedStaticHostIsNotSaidToBeConfirmedOff() {
        #expect(StaticInfrastructure(deployable).fencingSwitchesOff == false)
        let message = fencedMessage(switchesOff: StaticInfrastructure(deployable).fencingSwitchesOff)
        #expect(message?.contains("confirmed off") == false, "\(message ?? "")")
        #expect(message?.contains("nothing was powered off") == true, "\(message ?? "")")
    }

    @Test func aFencedGuestOfARealInfrastructureIsConfirmedOff() {
        #expect(fencedMessage(switchesOff: true) == "assembly db is confirmed off")
    }
}
