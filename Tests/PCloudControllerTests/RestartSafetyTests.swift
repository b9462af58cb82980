import Foundation
import PCloudTestSupport
import Testing

/// cped killed with SIGKILL and started again on the same store: it reconciles before acting.
@Suite(.enabled(if: SSHDaemon.missing == nil, "\(SSHDaemon.missing ?? "")"))
struct RestartSafetyTests {
    typealias Shop = EngineSSHTests.Shop

    func runningShop() async throws -> Shop {
        let shop = try Shop()
        _ = try await APIClient.unix(shop.cped.socketPath).call(.POST, "/v1/deployables", body: shop.yaml)
        let started = try shop.pcloudsh(["deployable_start", "shop", "--wait", "--timeout", "90s"])
        #expect(started.status == 0, "\(started.output)")
        return shop
    }

    func starts(_ shop: Shop, _ resource: String) -> Int {
        ((try? String(contentsOfFile: shop.path(resource + ".log"), encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    func lastSeq(_ shop: Shop) async throws -> Int {
        try await shop.events().compactMap { $0["seq"] as? Int }.max() ?? 0
    }

    func waitUntilRunning(_ shop: Shop, seconds: Double = 90) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let status =
                try? await APIClient.unix(shop.cped.socketPath).call(.GET, "/v1/deployables/shop/status").json as? [String: Any]
            if status?["state"] as? String == "running" { return true }
            try await Task.sleep(for: .milliseconds(250))
        }
        return false
    }

    @Test func aRestartedControllerAdoptsHealthyGuestsAndRestartsNothing() async throws {
        let shop = try await runningShop()
        defer { shop.stop() }
        let before = (store: starts(shop, "store"), app: starts(shop, "app"))
        let seq = try await lastSeq(shop)
        try shop.cped.crashAndRestart()
        #expect(try await shop.waitFor("resource.probe", count: 2, after: seq))  // both resources probed again
        #expect(try await waitUntilRunning(shop))
        let after = try await shop.events().filter { ($0["seq"] as? Int ?? 0) > seq }.compactMap { $0["kind"] as? String }
        #expect(
            !after.contains("resource.start") && !after.contains("assembly.fence") && !after.contains("resource.stop"), "\(after)"
        )
        #expect(starts(shop, "store") == before.store && starts(shop, "app") == before.app)
    }

    @Test(arguments: [0.1, 0.4, 0.9, 1.6])
    func killedDuringRecoveryItConvergesWithItsHistoryIntact(after delay: Double) async throws {
        let shop = try await runningShop()
        defer { shop.stop() }
        try FileManager.default.removeItem(atPath: shop.path("store.state"))
        try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
        let seq = try await lastSeq(shop)
        try shop.cped.crashAndRestart()
        // The resumed engine probes both resources again before it says anything about them.
        #expect(try await shop.waitFor("resource.probe", count: 2, after: seq))
        #expect(try await waitUntilRunning(shop), "\(shop.cped.log.suffix(2000))")
        #expect(try await shop.stateOf("db", "store") == "running")
        #expect(try await shop.stateOf("web", "app") == "running")
        #expect(FileManager.default.fileExists(atPath: shop.path("store.state")))
        // The event history has no holes and no repeats.
        let seqs = try await shop.events().compactMap { $0["seq"] as? Int }
        #expect(seqs == Array(seqs.indices.map { seqs[0] + $0 }))
        // Exactly one restart of db/store happened (the one the failure asked for), not one per controller.
        #expect(starts(shop, "store") == 2, "store started \(starts(shop, "store")) times")
    }
}
