import Foundation
import PCloudTestSupport
import Testing

/// Pacemaker's ClusterIP scenario end to end through a real cped: 33 globally unique instances of
/// Debian's real `ocf:heartbeat:IPaddr2` (instance N holds 192.168.200.10+N) over two ssh guests,
/// each a real sshd in its own network namespace. Where each instance runs is checked twice: in the
/// controller's status, and in the addresses really present on each namespace's interface.
@Suite(.enabled(if: AddressGuest.missing == nil, "\(AddressGuest.missing ?? "")"))
struct ClusterIPGuestTests {
    static let count = 33

    static func address(_ number: Int) -> String { "192.168.200.\(10 + number)" }
    static func addresses(_ numbers: some Sequence<Int>) -> Set<String> { Set(numbers.map(address)) }

    @Test func theCloneSpreadsMovesAFailedInstanceAndFollowsAnAssemblyThatGoesAwayAndComesBack() async throws {
        let world = try ClusterIPWorld()
        defer { world.stop() }
        #expect(try await world.api(.POST, "/v1/deployables", body: world.yaml).status == 201)
        let started = try world.pcloudsh(["deployable_start", "clusterip", "--wait", "--timeout", "300s"])
        #expect(started.status == 0, "\(started.output)\n\(world.cped.log.suffix(3000))")

        // Initial spread: instance 0 on a, 1 on b, 2 on a...
        let even = Self.addresses(stride(from: 0, to: Self.count, by: 2))
        let odd = Self.addresses(stride(from: 1, to: Self.count, by: 2))
        let spread = Dictionary(uniqueKeysWithValues: (0..<Self.count).map { ("ClusterIP:\($0)", $0 % 2 == 0 ? "a" : "b") })
        try await world.expectSettles("initial spread", seconds: 180) { placement, a, b in
            placement == spread.mapValues { .init(assembly: $0, state: "running") } && a == even && b == odd
        }
        let table = try world.pcloudsh(["deployable_status", "clusterip"])
        #expect(table.output.contains("  * Clone Set: CloneIP [ClusterIP] (unique):\n"), "\(table.output)")
        #expect(table.output.contains("    * ClusterIP:0\t(ocf:heartbeat:IPaddr2):\t Started a\n"), "\(table.output)")
        #expect(table.output.contains("    * ClusterIP:7\t(ocf:heartbeat:IPaddr2):\t Started b\n"), "\(table.output)")

        // An address deleted by hand on b: instance 7's monitor fails there, and with
        // migration-threshold 1 it moves to a; every other instance stays where it was.
        let beforeDelete = try await world.lastSeq()
        try world.b.deleteAddress(Self.address(7))
        var moved = spread.mapValues { ClusterIPWorld.Placed(assembly: $0, state: "running") }
        moved["ClusterIP:7"] = .init(assembly: "a", state: "running")
        try await world.expectSettles("after deleting \(Self.address(7)) on b", seconds: 120) { placement, a, b in
            placement == moved && a == even.union([Self.address(7)]) && b == odd.subtracting([Self.address(7)])
        }
        let failed = try await world.failedActions()
        #expect(failed.contains("ClusterIP:7 monitor on b 'not running' (7)"), "\(failed)")
        let afterDelete = try await world.events(after: beforeDelete)
        let touched = Set(afterDelete.filter { $0.kind == "resource.start" || $0.kind == "resource.stop" }.compactMap(\.resource))
        #expect(touched == ["ClusterIP:7"], "only instance 7 was stopped or started: \(touched)")
        #expect(
            try world.pcloudsh(["deployable_status", "clusterip"]).output.contains("* ClusterIP:7 monitor on b 'not running' (7)")
        )

        // Assembly b goes away (its sshd and every session are killed): all 33 run on a. b is a
        // static guest, so nothing can power it off: its addresses stay behind, unseen.
        let survivorOnly = spread.mapValues { _ in ClusterIPWorld.Placed(assembly: "a", state: "running") }
        world.b.sshd.stop()
        let leftOnB = odd.subtracting([Self.address(7)])
        try await world.expectSettles("after b went away", seconds: 180) { placement, a, b in
            placement == survivorOnly && a == Self.addresses(0..<Self.count) && b == leftOnB
        }

        // Losing b is not a failure of the instances that ran there: the only failed action is still 7's.
        #expect(try await world.failedActions() == ["ClusterIP:7 monitor on b 'not running' (7)"])

        // b comes back: stickiness INFINITY keeps every instance on a; the copies left behind on b
        // are found by the probes and stopped, so no address is held twice.
        let beforeReturn = try await world.lastSeq()
        try world.b.sshd.start()
        let reachedAndProbed = try await world.waitFor(seconds: 180) {
            let events = try await world.events(after: beforeReturn)
            let probed = Set(events.filter { $0.kind == "resource.probe-result" && $0.assembly == "b" }.compactMap(\.resource))
            return events.contains { $0.kind == "assembly.reachable" && $0.assembly == "b" } && probed.count == Self.count
        }
        if !reachedAndProbed {
            Issue.record("b was not reached or not every instance probed there: \(try await world.describe())")
        }
        try await world.expectSettles("after b came back", seconds: 120) { placement, a, b in
            placement == survivorOnly && a == Self.addresses(0..<Self.count) && b.isEmpty
        }
        let survivorTable = try world.pcloudsh(["deployable_status", "clusterip"]).output
        #expect(survivorTable.contains("    * ClusterIP:1\t(ocf:heartbeat:IPaddr2):\t Started a\n"), "\(survivorTable)")
        let afterReturn = try await world.events(after: beforeReturn)
        let startedOnB = afterReturn.filter { $0.kind == "resource.start" && $0.assembly == "b" }
        #expect(startedOnB.isEmpty, "nothing moves back to b: \(startedOnB.map(\.message))")
        let startedOnA = afterReturn.filter { $0.kind == "resource.start" && $0.assembly == "a" }
        #expect(startedOnA.isEmpty, "nothing on a restarted: \(startedOnA.map(\.message))")
        #expect(try await world.failedActions() == ["ClusterIP:7 monitor on b 'not running' (7)"])

        let stopped = try world.pcloudsh(["deployable_stop", "clusterip", "--wait", "--timeout", "120s"])
        #expect(stopped.status == 0, "\(stopped.output)")
        #expect(try world.a.addresses().isEmpty && world.b.addresses().isEmpty)
    }
}
