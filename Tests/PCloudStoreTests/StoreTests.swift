import Foundation
import GRDB
import PCloudModel
import Testing

@testable import PCloudStore

// The conformance suite: every test runs against SQLite and a real PostgreSQL.

private func webAssembly(_ name: String = "web") -> Assembly {
    Assembly(name: name, image: "debian12", resources: [Resource(name: "httpd", resourceClass: .systemd, type: "apache2")])
}

@Test(arguments: Backend.allCases) func aNewStoreIsMigrated(_ backend: Backend) async throws {
    let migrations = ["v1: definitions, runtime state, failures, events", "v2: cluster membership and leases"]
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    #expect(try await store.appliedMigrations() == migrations)
    await store.close()
    let reopened = try await fresh.open()  // reopening migrates nothing and loses nothing
    #expect(try await reopened.appliedMigrations() == migrations)
    await reopened.close()
}

@Test func aSQLiteStoreUsesWAL() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("pcloud-store-\(UUID().uuidString)/pcloud.sqlite")
        .path
    let store = try Store(path: path)
    let mode = try store.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
    #expect(mode == "wal")
}

@Test(arguments: Backend.allCases) func definitionsSurviveAReopen(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let deployable = Deployable(name: "dep", assemblies: [webAssembly(), webAssembly("db")])
    let first = try await fresh.open()
    let stored = try await first.importDeployable(deployable)
    #expect(stored.uuid != nil)
    await first.close()
    let reopened = try await fresh.open()
    #expect(try await reopened.deployable(named: "dep") == stored)
    #expect(try await reopened.assemblies().map(\.name) == ["db", "web"])
    #expect(try await reopened.deployableSummaries().map(\.assemblies) == [["web", "db"]])
    await reopened.close()
}

@Test(arguments: Backend.allCases) func aRejectedImportLeavesTheStoreAsItWas(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.importDeployable(Deployable(name: "dep", assemblies: [webAssembly()]))
    var changed = webAssembly()
    changed.memoryMiB = 1024
    // A second deployable whose assembly conflicts with the stored one: nothing of it may be written.
    await #expect(throws: StoreError.self) {
        try await store.importDeployable(Deployable(name: "other", assemblies: [webAssembly("fresh"), changed]))
    }
    #expect(try await store.deployable(named: "other") == nil)
    #expect(try await store.assembly(named: "fresh") == nil, "half of a rejected import was kept")
    #expect(try await store.assembly(named: "web")?.memoryMiB == 256)
    await store.close()
}

@Test(arguments: Backend.allCases) func anAssemblyInADeployableCannotBeDeleted(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.importDeployable(Deployable(name: "dep", assemblies: [webAssembly()]))
    await #expect(throws: StoreError.assemblyInUse(assembly: "web", deployables: ["dep"])) {
        try await store.deleteAssembly(named: "web")
    }
    try await store.removeAssembly("web", from: "dep")
    try await store.deleteAssembly(named: "web")
    #expect(try await store.assembly(named: "web") == nil)
    await store.close()
}

@Test(arguments: Backend.allCases) func membershipCommandsCheckWhatTheyAreGiven(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.createDeployable(Deployable(name: "dep"))
    try await store.createAssembly(webAssembly())
    await #expect(throws: StoreError.notFound(kind: "assembly", name: "nope")) { try await store.addAssembly("nope", to: "dep") }
    await #expect(throws: StoreError.notFound(kind: "deployable", name: "nope")) {
        try await store.addAssembly("web", to: "nope")
    }
    try await store.addAssembly("web", to: "dep")
    await #expect(throws: StoreError.alreadyMember(assembly: "web", deployable: "dep")) {
        try await store.addAssembly("web", to: "dep")
    }
    await #expect(throws: StoreError.alreadyExists(kind: "deployable", name: "dep")) {
        try await store.createDeployable(Deployable(name: "dep"))
    }
    try await store.removeAssembly("web", from: "dep")
    await #expect(throws: StoreError.notMember(assembly: "web", deployable: "dep")) {
        try await store.removeAssembly("web", from: "dep")
    }
    await store.close()
}

@Test(arguments: Backend.allCases) func anAssemblyChangeThatThrowsChangesNothing(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.createAssembly(webAssembly())
    try await store.updateAssembly(named: "web") { $0.memoryMiB = 512 }
    await #expect(throws: StoreError.invalid("an assembly cannot be renamed in place")) {
        try await store.updateAssembly(named: "web") {
            $0.memoryMiB = 2048
            $0.name = "renamed"
        }
    }
    #expect(try await store.assembly(named: "web")?.memoryMiB == 512)
    await #expect(throws: StoreError.notFound(kind: "assembly", name: "nope")) {
        try await store.updateAssembly(named: "nope") { _ in }
    }
    await store.close()
}

@Test(arguments: Backend.allCases) func eventSequenceNumbersOnlyGrow(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let first = try await fresh.open()
    let appended = try await first.append([
        StoredEvent(at: 1, deployable: "dep", kind: "deployable.starting", message: "starting"),
        StoredEvent(at: 2, deployable: "dep", assembly: "web", kind: "assembly.running", message: "web is running"),
    ])
    #expect(appended.map(\.seq) == [1, 2])
    await first.close()
    let store = try await fresh.open()
    let later = try await store.append([StoredEvent(at: 3, deployable: "other", kind: "x", severity: .error, message: "m")])
    #expect(later[0].seq == 3)
    #expect(try await store.events(after: 1).map(\.seq) == [2, 3])
    #expect(try await store.events(deployable: "dep").map(\.message) == ["starting", "web is running"])
    #expect(try await store.events(after: 2)[0].severity == .error)
    #expect(try await store.events(after: 0, limit: 2).map(\.seq) == [1, 2])
    let web = try await store.events(deployable: "dep")[1]
    #expect(web.assembly == "web" && web.resource == nil && web.data == nil)
    await store.close()
}

@Test(arguments: Backend.allCases) func failureHistoryAndStateArePersistedAndCleared(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.record([
        FailureRecord(deployable: "dep", assembly: "web", resource: "httpd", at: 10, reason: "monitor rc 7"),
        FailureRecord(deployable: "dep", assembly: "web", at: 12, reason: "unreachable"),
    ])
    try await store.save([
        RuntimeStateRecord(deployable: "dep", assembly: "web", state: "running", detail: #"{"address":"10.0.0.2"}"#, updatedAt: 5)
    ])
    try await store.save([RuntimeStateRecord(deployable: "dep", assembly: "web", state: "failed", updatedAt: 6)])
    await store.close()
    let reopened = try await fresh.open()
    #expect(try await reopened.failures(deployable: "dep").count == 2)
    #expect(try await reopened.states(deployable: "dep").map(\.state) == ["failed"])
    #expect(try await reopened.states(deployable: "dep").map(\.detail) == [nil])
    try await reopened.clearFailures(deployable: "dep", assembly: "web", resource: "httpd")
    #expect(try await reopened.failures(deployable: "dep").map(\.reason) == ["unreachable"])
    await reopened.close()
}

@Test(arguments: Backend.allCases) func aStartedDeployableCannotBeDeleted(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.importDeployable(Deployable(name: "dep", assemblies: [webAssembly()]))
    try await store.record([FailureRecord(deployable: "dep", at: 1, reason: "x")])
    try await store.save([RuntimeStateRecord(deployable: "dep", state: "running", updatedAt: 1)])
    await #expect(throws: StoreError.started(deployable: "dep", state: "running")) {
        try await store.deleteDeployable(named: "dep")
    }
    #expect(try await store.deployable(named: "dep") != nil)
    try await store.save([RuntimeStateRecord(deployable: "dep", state: "stopped", updatedAt: 2)])
    try await store.deleteDeployable(named: "dep")
    #expect(try await store.deployable(named: "dep") == nil)
    #expect(try await store.failures(deployable: "dep").isEmpty)
    #expect(try await store.states(deployable: "dep").isEmpty)
    #expect(try await store.assembly(named: "web") != nil, "its assemblies stay")
    await store.close()
}

@Test(arguments: Backend.allCases) func concurrentAppendsGetDistinctGrowingNumbers(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let writers = [try await fresh.open(), try await fresh.open()]
    let numbers = try await withThrowingTaskGroup(of: [Int64].self) { group in
        for (index, writer) in writers.enumerated() {
            group.addTask {
                var seen: [Int64] = []
                for n in 0..<25 {
                    seen += try await writer.append([
                        StoredEvent(at: Double(n), deployable: "w\(index)", kind: "k", message: "\(n)")
                    ]).map(\.seq)
                }
                return seen
            }
        }
        return try await group.reduce(into: [Int64]()) { $0 += $1 }
    }
    #expect(Set(numbers).count == 50)
    #expect(try await writers[0].events(limit: 100).map(\.seq) == numbers.sorted())
    for writer in writers { await writer.close() }
}

@Test(arguments: Backend.allCases) func theLastEventIsTheNewestOfThatDeployable(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    #expect(try await store.lastEvent(deployable: "web") == nil)
    #expect(try await store.lastEventSeq() == 0)
    let events = (1...2_000).map { index in
        StoredEvent(at: Double(index), deployable: index % 3 == 0 ? "db" : "web", kind: "x", message: "event \(index)")
    }
    try await store.append(events)
    #expect(try await store.lastEvent(deployable: "web")?.message == "event 2000")
    #expect(try await store.lastEvent(deployable: "db")?.message == "event 1998")
    #expect(try await store.lastEvent(deployable: "none") == nil)
    #expect(try await store.lastEventSeq() == 2_000)
    await store.close()
}

@Test func theLastEventIsFoundThroughTheDeployableIndexOnSQLite() throws {
    let store = try Store()
    // One indexed search, no scan of the table and no sort of the deployable's history.
    let plan = try store.database.read { db in
        try Row.fetchAll(
            db, sql: "EXPLAIN QUERY PLAN \(Store.eventColumns) WHERE deployable = ? ORDER BY seq DESC LIMIT 1",
            arguments: ["web"]
        ).map { $0["detail"] as String }
    }
    #expect(plan.count == 1)
    #expect(plan.allSatisfy { $0.contains("USING INDEX") && !$0.contains("TEMP B-TREE") })
}

@Test(arguments: Backend.allCases) func everyDefinitionChangeRecordsItsEventWithTheChange(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let store = try await fresh.open()
    try await store.importDeployable(Deployable(name: "dep", assemblies: [webAssembly()]))
    try await store.importDeployable(Deployable(name: "dep", assemblies: [webAssembly()]), replace: true)
    try await store.createDeployable(Deployable(name: "empty"))
    try await store.createAssembly(webAssembly("db"))
    try await store.addAssembly("db", to: "dep")
    try await store.updateAssembly(named: "db") { $0.resources = [] }
    try await store.removeAssembly("db", from: "dep")
    try await store.deleteAssembly(named: "db")
    try await store.deleteDeployable(named: "empty")
    let events = try await store.events().map { "\($0.deployable)|\($0.assembly ?? "-")|\($0.kind)|\($0.message)" }
    #expect(
        events == [
            "dep|-|deployable.defined|deployable dep defined: 1 assemblies, 1 resources",
            "dep|-|deployable.defined|deployable dep redefined: 1 assemblies, 1 resources",
            "empty|-|deployable.defined|deployable empty defined: 0 assemblies, 0 resources",
            "|db|assembly.defined|assembly db defined: 1 resources",
            "dep|db|deployable.changed|assembly db added to deployable dep",
            "dep|db|assembly.changed|assembly db changed: 0 resources",
            "dep|db|deployable.changed|assembly db removed from deployable dep",
            "|db|assembly.deleted|assembly db deleted",
            "empty|-|deployable.deleted|deployable empty deleted",
        ])
    // A refused change records nothing: the event is written in the change's transaction.
    await #expect(throws: StoreError.self) {
        try await store.importDeployable(Deployable(name: "dep", assemblies: [webAssembly()]))
    }
    await #expect(throws: StoreError.self) { try await store.deleteAssembly(named: "web") }
    #expect(try await store.events().count == events.count)
    await store.close()
}

@Test(arguments: Backend.allCases) func racingCreatesOfOneNameGiveOneWinnerAndPlainRefusals(_ backend: Backend) async throws {
    guard let fresh = try FreshStore(backend) else { return }
    let stores = [try await fresh.open(), try await fresh.open()]
    let outcomes = await withTaskGroup(of: String.self) { group in
        for attempt in 0..<10 {
            group.addTask {
                do {
                    try await stores[attempt % 2].createAssembly(webAssembly())
                    return "created"
                } catch let error as StoreError {
                    return error == .alreadyExists(kind: "assembly", name: "web") ? "exists" : "\(error)"
                } catch { return "\(error)" }
            }
        }
        return await group.reduce(into: [String]()) { $0.append($1) }
    }
    #expect(outcomes.filter { $0 == "created" }.count == 1, "\(outcomes)")
    #expect(
        outcomes.filter { $0 == "exists" }.count == 9,
        "a conflict between controllers is the store's refusal, not a database error: \(outcomes)")
    for store in stores { await store.close() }
}
