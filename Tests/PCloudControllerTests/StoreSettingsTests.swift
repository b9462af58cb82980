import Foundation
import PCloudController
import PCloudStore
import Testing

/// cped.yaml's `store:` and `store-password-file:`; a bad store URL is named with its file and line.
@Suite struct StoreSettingsTests {
    func load(_ text: String) throws -> ControllerConfiguration {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cped-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("cped.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return try ControllerConfiguration.load(file: file)
    }

    @Test func aPostgresStoreAndItsPasswordFileAreRead() throws {
        let settings = try load(
            "log-level: info\nstore: postgresql://pcloud@db.example.com/pcloud?sslmode=verify-full\nstore-password-file: /etc/pcloud/store.password\n"
        )
        guard case .postgres(let location) = try settings.storeLocation() else {
            Issue.record("not a PostgreSQL store")
            return
        }
        #expect(location.endpoint == .tcp(host: "db.example.com", port: 5432) && location.tls == .verifyFull)
        #expect(location.passwordFile == "/etc/pcloud/store.password")
        #expect(settings.stateDirectory.path == "/var/lib/pcloud", "cped's own files stay beside its ssh key's directory")
    }

    @Test func aStoreURLWithAPasswordIsRefusedAtItsLine() {
        #expect {
            _ = try load("log-level: info\nstore: postgresql://pcloud:secret@db/pcloud\n")
        } throws: { error in
            let text = "\(error)"
            return text.contains("cped.yaml:2:1: store") && text.contains("--store-password-file") && !text.contains("secret")
        }
    }

    @Test func aSQLiteStoreKeepsItsFilesBesideIt() throws {
        let settings = try load("store: /srv/pcloud/pcloud.sqlite\n")
        #expect(try settings.storeLocation() == .sqlite(path: "/srv/pcloud/pcloud.sqlite"))
        #expect(settings.stateDirectory.path == "/srv/pcloud")
    }
}
