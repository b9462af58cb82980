import Foundation
import PCloudTestSupport
import Testing

/// `deployable_reload` through a real cped on a real sshd guest: the operator edits the definition
/// file, stores it (`deployable_import --replace`) and reloads. What changed is applied and nothing
/// else is touched, counted from the guest's side (the exec commands' files) and the event log.
@Suite(.enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"))
struct ReloadEndToEndTests {
    typealias R = ReloadWorld.Resource

    @Test func aChangedParameterRestartsOnlyThatResourceWithTheNewValue() async throws {
        let world = try ReloadWorld()
        try world.store([("box", [R(name: "a", value: "1"), R(name: "b", value: "1")])], replace: false)
        try world.startAndWait()
        #expect(world.starts("box/a") == ["1"] && world.starts("box/b") == ["1"])

        try world.store([("box", [R(name: "a", value: "2"), R(name: "b", value: "1")])])
        try await world.reload()
        #expect(
            waitUntil(timeout: 30) { world.starts("box/a") == ["1", "2"] && world.isRunning("box/a") }, "\(world.starts("box/a"))"
        )
        #expect(await world.eventually { await world.state("box/a") == "running" })
        #expect(world.stops("box/a") == 1)
        #expect(world.starts("box/b") == ["1"] && world.stops("box/b") == 0)
        let messages = await world.events().compactMap { $0["message"] as? String }
        #expect(messages.contains { $0.contains("box/a uses v=2 now: restarting it with the new value") }, "\(messages)")
        #expect(!messages.contains { $0.contains("box/b uses") })
    }

    @Test func anAddedResourceAndAssemblyStartAndRemovedOnesStop() async throws {
        let world = try ReloadWorld()
        try world.store(
            [("box", [R(name: "a", value: "1"), R(name: "b", value: "1")]), ("old", [R(name: "c", value: "1")])], replace: false)
        try world.startAndWait()
        #expect(world.starts("box/b") == ["1"] && world.starts("old/c") == ["1"])

        try world.store([("box", [R(name: "a", value: "1"), R(name: "n", value: "1")]), ("new", [R(name: "d", value: "1")])])
        try await world.reload()
        #expect(waitUntil(timeout: 30) { world.isRunning("box/n") && world.isRunning("new/d") }, "\(world.cped.log.suffix(3000))")
        try world.waitRunning()
        // The removed resource and the removed assembly's resource are stopped, not left running.
        #expect(waitUntil(timeout: 30) { !world.isRunning("box/b") }, "box/b still runs after its removal")
        #expect(waitUntil(timeout: 30) { !world.isRunning("old/c") }, "old/c still runs after its assembly's removal")
        #expect(world.starts("box/a") == ["1"] && world.stops("box/a") == 0, "an unchanged resource was restarted")
        let messages = await world.events().compactMap { $0["message"] as? String }
        #expect(messages.contains { $0.contains("removed old") }, "\(messages)")
        #expect(messages.contains("box/b was removed from the definition: stopped"), "\(messages)")
        #expect(messages.contains("old/c was removed from the definition: stopped"), "\(messages)")
        #expect(world.stops("box/b") == 1 && world.stops("old/c") == 1)
        let status = try await world.status()
        let names = (status["assemblies"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names == ["box", "new"])
    }

    @Test func aChangedIntervalAndEscalationLimitKeepTheFailureHistory() async throws {
        let world = try ReloadWorld()
        try world.store([("box", [R(name: "a", value: "1", escalation: 5), R(name: "b", value: "1")])], replace: false)
        try world.startAndWait()
        // One failure: the guest loses a's state; pcloud restarts it.
        try FileManager.default.removeItem(atPath: world.path("box-a.state"))
        #expect(waitUntil(timeout: 30) { world.starts("box/a").count == 2 && world.isRunning("box/a") })
        #expect(await world.eventually { await world.failures("box/a") == 1 })
        #expect(waitUntil(timeout: 20) { world.monitorInterval("box/a") == "1000" })

        try world.store([("box", [R(name: "a", value: "1", interval: "2s", escalation: 3), R(name: "b", value: "1")])])
        try await world.reload()
        try world.waitRunning()
        #expect(await world.failures("box/a") == 1, "the failure history was lost")
        // The running resource is monitored at the new interval from now on, without a restart.
        #expect(waitUntil(timeout: 20) { world.monitorInterval("box/a") == "2000" }, "\(world.monitorInterval("box/a") ?? "")")
        let messages = await world.events().compactMap { $0["message"] as? String }
        #expect(messages.contains { $0.hasPrefix("box/a's definition changed: its monitor runs every 2s") }, "\(messages)")
        #expect(!messages.contains { $0.hasPrefix("box/b's definition changed") })
        let window = try await world.resourceStatus("box/a")?["window"] as? [String: Any]
        #expect(window?["limit"] as? Int == 3, "\(String(describing: window))")
        #expect(world.starts("box/a").count == 2 && world.starts("box/b") == ["1"], "a reload restarted a resource")
    }

    @Test func aDefinitionThatFailsValidationIsRefusedAndNothingChanges() async throws {
        let world = try ReloadWorld()
        try world.store([("box", [R(name: "a", value: "1")])], replace: false)
        try world.startAndWait()
        let before =
            try await APIClient.unix(world.cped.socketPath).call(.GET, "/v1/deployables/\(world.name)").json as? [String: Any]

        // Through the file: refused naming file:line, the stored definition kept.
        var bad = world.yaml([("box", [R(name: "a", value: "2")])])
        bad = bad.replacingOccurrences(of: "class: exec", with: "class: exce")
        try bad.write(toFile: world.definitionFile, atomically: true, encoding: .utf8)
        let refused = try world.importFile()
        #expect(refused.status != 0)
        let line = bad.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("exce") }! + 1
        #expect(refused.output.contains("\(world.definitionFile):\(line)"), "\(refused.output)")
        // Through the API: refused naming the line in the request body.
        let answer = try await APIClient.unix(world.cped.socketPath).call(.POST, "/v1/deployables?replace=true", body: bad)
        #expect(answer.status == 422, "\(answer.status)")
        #expect(
            (answer.json as? [String: Any]).map { "\($0)".contains(":\(line)") } == true, "\(String(describing: answer.json))")

        let after =
            try await APIClient.unix(world.cped.socketPath).call(.GET, "/v1/deployables/\(world.name)").json as? [String: Any]
        #expect(after?["yaml"] as? String == before?["yaml"] as? String)
        try await world.reload()
        try world.waitRunning()
        #expect(world.starts("box/a") == ["1"] && world.stops("box/a") == 0, "the running deployable was touched")
    }
}
