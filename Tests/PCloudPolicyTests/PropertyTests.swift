import PCloudModel
import PropertyBased
import Testing

@testable import PCloudPolicy

/// Safety properties over random worlds: random results, random monitor failures, random guest losses.
@Suite struct PropertyTests {
    static let moves = Gen.int(in: 0...9_999).array(of: 1...300)

    @Test func neverTwoOperationsInFlightOnOneResourceNorTwoCopiesOfOneGuest() async {
        await propertyCheck(count: 300, input: Self.moves) { moves in
            var world = RandomWorld(randomWorldDeployable())
            world.feed(.start)
            for move in moves { world.move(move) }
            #expect(world.violations == [])
        }
    }

    @Test func aStoppedDeployableIsLeftAlone() async {
        await propertyCheck(count: 200, input: Self.moves, Gen.int(in: 0...9_999).array(of: 1...50)) { moves, after in
            var world = RandomWorld(randomWorldDeployable())
            world.feed(.start)
            for move in moves { world.move(move) }
            world.feed(.stop)
            var rounds = 0
            while !world.outstanding.isEmpty && rounds < 1_000 {
                world.answer(world.outstanding.removeFirst(), rounds)
                rounds += 1
            }
            #expect(world.outstanding.isEmpty)
            #expect([DeployableState.stopped, .failed].contains(world.scenario.runtime.state))
            #expect(world.scenario.runtime.monitoring == false)
            // Late monitor results, lost guests and time passing change nothing.
            let names = world.scenario.policy.deployable.assemblies.map(\.name)
            for choice in after {
                let id = world.scenario.policy.order[choice % world.scenario.policy.order.count]
                let input: PolicyInput =
                    switch choice % 3 {
                    case 0: .operationCompleted(id, .monitor, .notRunning, incarnation: choice % 4, detail: nil)
                    case 1: .assemblyLost(names[choice % names.count], reason: "late")
                    default: .tick
                    }
                #expect(world.scenario.send(input).isEmpty)
            }
            #expect(world.violations == [])
        }
    }

    @Test func theSameInputsAlwaysGiveTheSamePlan() async {
        await propertyCheck(count: 100, input: Self.moves) { moves in
            var world = RandomWorld(randomWorldDeployable())
            world.feed(.start)
            for move in moves { world.move(move) }
            var replay = Scenario(randomWorldDeployable())
            for (input, now) in world.history {
                replay.now = now
                replay.send(input)
            }
            #expect(replay.log == world.scenario.log)
            #expect(replay.runtime == world.scenario.runtime)
        }
    }

    @Test func aUniqueInstanceNeverRunsTwiceNorBeyondAnAssemblysMaximum() async {
        await propertyCheck(count: 300, input: Self.moves) { moves in
            var world = RandomWorld(randomPlacementDeployable())
            world.feed(.start)
            for move in moves { world.move(move) }
            #expect(world.violations == [])
        }
    }

    @Test func placementIsDeterministic() async {
        await propertyCheck(count: 100, input: Self.moves) { moves in
            var world = RandomWorld(randomPlacementDeployable())
            world.feed(.start)
            for move in moves { world.move(move) }
            var replay = Scenario(randomPlacementDeployable())
            for (input, now) in world.history {
                replay.now = now
                replay.send(input)
            }
            #expect(replay.log == world.scenario.log)
            #expect(replay.runtime == world.scenario.runtime)
        }
    }

    @Test func aStoppedDeployableWithPlacedResourcesStopsEveryCopy() async {
        await propertyCheck(count: 200, input: Self.moves) { moves in
            var world = RandomWorld(randomPlacementDeployable())
            world.feed(.start)
            for move in moves { world.move(move) }
            world.feed(.stop)
            var rounds = 0
            while !world.outstanding.isEmpty && rounds < 2_000 {
                world.answer(world.outstanding.removeFirst(), rounds)
                rounds += 1
            }
            #expect(world.outstanding.isEmpty)
            #expect([DeployableState.stopped, .failed].contains(world.scenario.runtime.state))
            #expect(world.violations == [])
        }
    }

    /// Maintenance: whatever fails, whatever is put into maintenance or taken out (or runs out), nothing
    /// unmanaged is ever started, stopped, restarted or fenced, nor escalated through; and the other
    /// properties hold as before.
    @Test(arguments: [false, true]) func nothingIsEverDoneToAnUnmanagedElement(placed: Bool) async {
        await propertyCheck(count: 300, input: Self.moves) { moves in
            var world = RandomWorld(placed ? randomPlacementDeployable() : randomWorldDeployable())
            world.maintained = [:]
            world.feed(.start)
            for move in moves { world.maintenanceMove(move) }
            #expect(world.violations == [])
        }
    }

    /// Once every maintenance has ended, a stop still stops everything.
    @Test func afterMaintenanceAStoppedDeployableIsLeftAlone() async {
        await propertyCheck(count: 200, input: Self.moves) { moves in
            var world = RandomWorld(randomPlacementDeployable())
            world.maintained = [:]
            world.feed(.start)
            for move in moves { world.maintenanceMove(move) }
            for element in (world.maintained ?? [:]).keys.sorted() {
                world.maintained?[element] = nil
                world.feed(.maintenanceOff(element))
            }
            world.feed(.stop)
            var rounds = 0
            while !world.outstanding.isEmpty && rounds < 2_000 {
                world.answer(world.outstanding.removeFirst(), rounds)
                rounds += 1
            }
            #expect(world.outstanding.isEmpty)
            #expect([DeployableState.stopped, .failed].contains(world.scenario.runtime.state))
            #expect(world.violations == [])
        }
    }

    /// Escalation happens exactly when the N-th failure since the last escalation falls within P of
    /// the first of those N, never before, compared with a direct count over the window.
    @Test func escalationComesExactlyAtTheNthFailureWithinTheWindow() async {
        await propertyCheck(count: 500, input: Gen.int(in: 1...4), Gen.int(in: 1...10), Gen.int(in: 0...3_000).array(of: 1...40))
        {
            failures, period, gaps in
            let limit = EscalationLimit(failures: failures, period: .seconds(period))
            var history = FailureHistory()
            var since: [Double] = []
            var now = 0.0
            for gap in gaps {
                now += Double(gap) / 1000
                since.append(now)
                let inWindow = since.filter { now - $0 <= Double(period) + 1e-9 }.count
                let decision = history.record(at: now, limit: limit)
                if inWindow >= failures {
                    guard case .escalate = decision else {
                        Issue.record("no escalation with \(inWindow) failures in \(period)s")
                        return
                    }
                    since.removeAll()
                } else {
                    #expect(decision == .restart)
                }
            }
        }
    }
}
