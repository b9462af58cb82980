import Foundation
import PCloudModel
import PCloudTestSupport
import PostgresNIO
import Testing

@testable import PCloudStore

// What only the PostgreSQL backend has: the way to the server (TCP, socket, TLS, passwords).

private func server() throws -> PostgresServer? {
    if let reason = PostgresServer.missing {
        print("skipping: \(reason)")
        return nil
    }
    return try PostgresServer.shared()
}

private func openError(_ url: String, passwordFile: String?) async -> String {
    do {
        let store = try await Store(location: try StoreLocation(parsing: url, passwordFile: passwordFile))
        await store.close()
        return "opened"
    } catch { return "\(error)" }
}

/// Whether the backend's pooled connection is encrypted, as the server sees it.
private func usesTLS(_ store: Store) async throws -> Bool {
    let backend = try #require(store.backend as? PostgresBackend)
    return try await backend.transaction(readOnly: true) { connection, logger in
        var ssl = false
        for try await value in try await connection.query(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: logger
        )
        .decode(Bool.self) {
            ssl = value
        }
        return ssl
    }
}

@Test func aUnixSocketURLReachesTheServerWithoutAPassword() async throws {
    guard let server = try server() else { return }
    let store = try await Store(location: try StoreLocation(parsing: server.socketURL(try server.createDatabase())))
    try await store.createAssembly(Assembly(name: "web"))
    #expect(try await store.assemblies().map(\.name) == ["web"])
    await store.close()
}

@Test func verifyFullEncryptsAndChecksTheServerAgainstTheGivenCA() async throws {
    guard let server = try server() else { return }
    let database = try server.createDatabase()
    let ca = server.certificates.path("ca.pem")
    let url = "postgresql://\(server.user)@localhost:\(server.port)/\(database)?sslmode=verify-full&sslrootcert=\(ca)"
    let store = try await Store(location: try StoreLocation(parsing: url, passwordFile: server.passwordFile))
    #expect(try await usesTLS(store))
    await store.close()
    let plain = try await Store(location: try StoreLocation(parsing: server.tcpURL(database), passwordFile: server.passwordFile))
    #expect(try await usesTLS(plain) == false, "loopback without sslmode is not encrypted")
    await plain.close()
    let required = try await Store(
        location: try StoreLocation(parsing: server.tcpURL(database, query: "sslmode=require"), passwordFile: server.passwordFile)
    )
    #expect(try await usesTLS(required))
    await required.close()
    let other = server.certificates.path("other-ca.pem")
    let refused = await openError(
        "postgresql://\(server.user)@localhost:\(server.port)/\(database)?sslmode=verify-full&sslrootcert=\(other)",
        passwordFile: server.passwordFile)
    #expect(refused.contains("cannot connect to postgresql://\(server.user)@localhost:\(server.port)/\(database)"), "\(refused)")
}

@Test func aWrongOrMissingPasswordIsReportedByTheServer() async throws {
    guard let server = try server() else { return }
    let database = try server.createDatabase()
    let wrong = FileManager.default.temporaryDirectory.appendingPathComponent("pcloud-wrong-\(UUID().uuidString.prefix(8))").path
    try "not-the-password\n".write(toFile: wrong, atomically: true, encoding: .utf8)
    let refused = await openError(server.tcpURL(database), passwordFile: wrong)
    #expect(refused.contains("password authentication failed"), "\(refused)")
    #expect(!refused.contains("not-the-password"))
    let missing = await openError(server.tcpURL(database), passwordFile: nil)
    #expect(missing.contains("cannot connect to"), "\(missing)")
    let nowhere = await openError("postgresql://u@127.0.0.1:\(freeLocalPort())/d", passwordFile: nil)
    #expect(nowhere.contains("cannot connect to postgresql://u@127.0.0.1:"), "\(nowhere)")
}

@Test func theBlockingAPIRefusesAPostgresStoreInsteadOfBlocking() async throws {
    guard let server = try server() else { return }
    let store = try await Store(location: try StoreLocation(parsing: server.socketURL(try server.createDatabase())))
    #expect(throws: StoreError.invalid("this store is on PostgreSQL: use the store's async API")) { try store.assemblies() }
    await store.close()
}
