import Foundation
import Testing

@testable import PCloudStore

private func postgres(_ text: String, passwordFile: String? = nil, environment: [String: String] = [:]) throws -> PostgresLocation
{
    guard case .postgres(let location) = try StoreLocation(parsing: text, passwordFile: passwordFile, environment: environment)
    else {
        Issue.record("\(text) is not a PostgreSQL location")
        throw StoreError.invalid("not postgres")
    }
    return location
}

private func refusal(_ text: String) -> String {
    do {
        _ = try StoreLocation(parsing: text, environment: [:])
        return "accepted"
    } catch { return "\(error)" }
}

@Test func aPathIsASQLiteStore() throws {
    #expect(try StoreLocation(parsing: "/var/lib/pcloud/pcloud.sqlite") == .sqlite(path: "/var/lib/pcloud/pcloud.sqlite"))
    #expect(try StoreLocation(parsing: "relative/s.sqlite").isSQLite)
}

@Test func aPostgresURLNamesUserHostPortAndDatabase() throws {
    let location = try postgres("postgresql://pcloud@db.example.com:6543/ha")
    #expect(location.user == "pcloud" && location.database == "ha")
    #expect(location.endpoint == .tcp(host: "db.example.com", port: 6543))
    #expect(location.tls == .prefer, "a remote server gets libpq's default")
    #expect(try postgres("postgres://u@127.0.0.1/d").endpoint == .tcp(host: "127.0.0.1", port: 5432))
    #expect(try postgres("postgres://u@127.0.0.1/d").tls == .disable, "loopback is not encrypted unless asked")
    #expect(try postgres("postgresql://u@[::1]:5433/d").endpoint == .tcp(host: "::1", port: 5433))
    #expect(try postgres("postgresql://u@db/d?sslmode=verify-full&sslrootcert=/etc/ca.pem").tls == .verifyFull)
    #expect(try postgres("postgresql://u@db/d?sslmode=verify-full&sslrootcert=/etc/ca.pem").rootCertificates == "/etc/ca.pem")
}

@Test func aSocketDirectoryIsAUnixSocketHost() throws {
    #expect(
        try postgres("postgresql://u@%2Fvar%2Frun%2Fpostgresql/d").endpoint
            == .socket(directory: "/var/run/postgresql", port: 5432))
    #expect(try postgres("postgresql://u@/d?host=/tmp/pg&port=5999").endpoint == .socket(directory: "/tmp/pg", port: 5999))
    #expect(try postgres("postgresql://u@/d").endpoint == .socket(directory: "/var/run/postgresql", port: 5432))
    #expect(try postgres("postgresql://u@/d").tls == .disable)
}

@Test func aPasswordInTheURLIsRefusedWithTheWayToGiveIt() {
    for text in ["postgresql://u:secret@db/d", "postgresql://u@db/d?password=secret"] {
        let message = refusal(text)
        #expect(message.contains("--store-password-file") && message.contains("PGPASSFILE"))
        #expect(!message.contains("secret"), "the refusal must not repeat the password")
    }
}

@Test func badURLsNameTheWrongField() {
    #expect(refusal("postgresql://db/d").contains("user: missing"))
    #expect(refusal("postgresql://u@db").contains("database: missing"))
    #expect(refusal("postgresql://u@db:99999/d").contains("port: '99999'"))
    #expect(refusal("postgresql://u@db:x/d").contains("port: 'x'"))
    #expect(refusal("postgresql://u@db/d?sslmode=always").contains("sslmode: 'always' is not one of disable, prefer, require"))
    #expect(refusal("postgresql://u@db/d?colour=blue").contains("unknown parameter 'colour'"))
    #expect(refusal("mysql://u@db/d").contains("unknown scheme 'mysql'"))
    #expect(refusal("postgresql://u@%2Ftmp/d?sslmode=require").contains("needs a TCP host"))
}

@Test func theDescriptionIsTheURLWithoutAnySecret() throws {
    let location = try postgres("postgresql://pcloud@db:5432/ha?sslmode=require", passwordFile: "/etc/pcloud/pw")
    #expect(location.description == "postgresql://pcloud@db:5432/ha?sslmode=require")
}

@Test func thePasswordComesFromTheFileOrAPgpassLine() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pcloud-pw-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let file = directory.appendingPathComponent("pw").path
    try "s3cret\n".write(toFile: file, atomically: true, encoding: .utf8)
    #expect(try postgres("postgresql://u@db/d", passwordFile: file).password() == "s3cret")
    let pgpass = directory.appendingPathComponent("pgpass").path
    try "# comment\nother:*:*:*:no\ndb:5432:d:u:from\\:pgpass\n*:*:*:*:fallback\n".write(
        toFile: pgpass, atomically: true, encoding: .utf8)
    #expect(try postgres("postgresql://u@db/d", environment: ["PGPASSFILE": pgpass]).password() == "from:pgpass")
    #expect(try postgres("postgresql://u@db/d?passfile=\(pgpass)").password() == "from:pgpass")
    #expect(try postgres("postgresql://v@db/d?passfile=\(pgpass)").password() == "fallback")
    #expect(try postgres("postgresql://u@db/d").password() == nil)
    #expect(throws: StoreError.self) { try postgres("postgresql://u@db/d", passwordFile: "/nonexistent").password() }
}
