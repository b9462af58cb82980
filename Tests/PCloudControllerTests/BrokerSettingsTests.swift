import Foundation
import PCloudController
import Testing

/// cped.yaml's broker settings, including where guests reach the broker and how their users are
/// made; a wrong key or value is named with its file and line.
@Suite struct BrokerSettingsTests {
    func load(_ broker: String) throws -> ControllerConfiguration {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cped-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let password = directory.appendingPathComponent("broker.password")
        try "s3cret\n".write(to: password, atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("cped.yaml")
        try "log-level: info\nbroker:\n  password-file: \(password.path)\n\(broker)".write(
            to: file, atomically: true, encoding: .utf8)
        return try ControllerConfiguration.load(file: file)
    }

    @Test func guestAddressAndUsersCommandAreRead() throws {
        let settings = try load("  guest-host: 192.168.122.1\n  guest-port: 5671\n  users-command: /opt/users\n")
        #expect(settings.broker?.host == "127.0.0.1" && settings.broker?.port == 5672)
        #expect(settings.broker?.guestHost == "192.168.122.1" && settings.broker?.guestPort == 5671)
        #expect(settings.broker?.usersCommand == "/opt/users")
        #expect(settings.broker?.password == "s3cret")
    }

    @Test func withoutThemGuestsUseTheControllersBrokerAndTheShippedScript() throws {
        let settings = try load("")
        #expect(settings.broker?.guestHost == nil && settings.broker?.guestPort == nil)
        #expect(settings.broker?.usersCommand == "/usr/share/pcloud/broker/pcloud-broker-users")
    }

    @Test func anUnknownBrokerSettingIsNamedWithItsLineAndASuggestion() throws {
        #expect {
            _ = try load("  guest-hots: 10.0.0.1\n")
        } throws: { error in
            let text = "\(error)"
            return text.contains("cped.yaml:4:") && text.contains("broker.guest-hots: unknown setting")
                && text.contains("guest-host")
        }
    }

    @Test func aBadGuestPortIsRefused() throws {
        #expect {
            _ = try load("  guest-port: 70000\n")
        } throws: { error in
            "\(error)".contains("guest-port: expected a port number from 1 to 65535")
        }
    }
}
