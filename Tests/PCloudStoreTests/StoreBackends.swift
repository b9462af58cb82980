import Foundation
import PCloudTestSupport
import Testing

@testable import PCloudStore

/// The backends every conformance test runs against.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgresql
    var testDescription: String { rawValue }
}

/// A fresh, empty store location of one backend: a new SQLite file, or a new database on the shared
/// PostgreSQL server (reached over TCP with the password file). `open()` again is a reopen.
struct FreshStore {
    let location: StoreLocation

    /// Nil (with the reason printed) only when PostgreSQL cannot exist here.
    init?(_ backend: Backend) throws {
        switch backend {
        case .sqlite:
            location = .sqlite(
                path: FileManager.default.temporaryDirectory
                    .appendingPathComponent("pcloud-store-\(UUID().uuidString)/pcloud.sqlite").path)
        case .postgresql:
            if let reason = PostgresServer.missing {
                print("skipping the PostgreSQL run: \(reason)")
                return nil
            }
            let server = try PostgresServer.shared()
            location = try StoreLocation(parsing: server.tcpURL(try server.createDatabase()), passwordFile: server.passwordFile)
        }
    }

    func open() async throws -> Store { try await Store(location: location) }
}
