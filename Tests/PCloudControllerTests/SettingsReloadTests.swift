import Foundation
import PCloudTestSupport
import Testing

/// SIGHUP (the unit's ExecReload) re-reads the settings; it never stops cped.
struct SettingsReloadTests {
    func settingsFile(_ text: String) throws -> String {
        let path = "/tmp/pcloud-settings-\(UUID().uuidString.prefix(8)).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func logShows(_ cped: ControllerProcess, _ text: String) -> Bool {
        waitUntil(timeout: 20) { cped.log.contains(text) }
    }

    @Test func sighupReloadsTheLogLevelAndKeepsServing() async throws {
        let config = try settingsFile("log-level: info\n")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let cped = try ControllerProcess(config: config, logLevel: nil)
        defer { cped.stop() }
        try "log-level: debug\nssh-key: /tmp/elsewhere/id_ed25519\n".write(toFile: config, atomically: true, encoding: .utf8)
        cped.process.signal(SIGHUP)
        #expect(logShows(cped, "SIGHUP: settings reloaded: log-level info -> debug"), "\(cped.log.suffix(2000))")
        #expect(cped.log.contains("applied only at restart: ssh-key"))
        #expect(cped.process.isRunning)
        let health = try await APIClient.unix(cped.socketPath).call(.GET, "/v1/health")
        #expect(health.status == 200)
    }

    @Test func aBrokenSettingsFileOnSighupChangesNothingAndCpedStaysUp() async throws {
        let config = try settingsFile("log-level: info\n")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let cped = try ControllerProcess(config: config, logLevel: nil)
        defer { cped.stop() }
        try "log-level: [not, a, level\nsokcet: x\n".write(toFile: config, atomically: true, encoding: .utf8)
        cped.process.signal(SIGHUP)
        #expect(logShows(cped, "SIGHUP: the settings were not reloaded, the running ones stay"), "\(cped.log.suffix(2000))")
        cped.process.signal(SIGHUP)  // a second one is handled the same way
        #expect(waitUntil(timeout: 20) { cped.log.components(separatedBy: "were not reloaded").count == 3 })
        #expect(cped.process.isRunning)
        let health = try await APIClient.unix(cped.socketPath).call(.GET, "/v1/health")
        #expect(health.status == 200)
    }
}
