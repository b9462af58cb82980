import Foundation
import GRDB
import PCloudModel
import Testing
@testable import PCloudStore

private func temporaryStorePath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("pcloud-store-\(UUID().uuidString)/pcloud.sqlite").path
}

private func webAssembly(_ name: String = "web") -> Assembly {
    Assembly(name: name, image: "debian12", resources: [Resource(name: "httpd", resourceClass: .systemd, type: "apache2")])
}

@Test func aNewStoreIsMigratedAndUsesWAL() throws {
    let path = temporaryStorePath()
    let store = try Store(path: path)
    #expect(try store.appliedMigrations() == ["v1: definitions, runtime state, failures, events"])
    let mode = try store.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
    #expect(mode == "wal")
    _ = try Store(path: path)  // reopening migrates nothing and loses nothing
}

@Test func definitionsSurviveAReopen() throws {
    let path = temporaryStorePath()
    let deployable = Deployable(name: "dep", assemblies: [webAssembly(), webAssembly("db")])
    let stored = try Store(path: path).importDeployable(deployable)
    #expect(stored.uuid != nil)
    let reopened = try Store(path: path)
    #expect(try reopened.deployable(named: "dep") == stored)
    #expect(try reopened.assemblies().map(\.name) == ["db", "web"])
    #expect(try reopened.deployableSummaries().map(\.assemblies) == [["web", "db"]])
}

@Test func aRejectedImportLeavesTheStoreAsItWas() throws {
    let store = try Store()
    try store.importDeployable(Deployable(name: "dep", assemblies: [webAssembly()]))
    var changed = webAssembly()
    changed.memoryMiB = 1024
    // A second deployable whose assembly conflicts with the stored one: nothing of it may be written.
    #expect(throws: StoreError.self) {
        try store.importDeployable(Deployable(name: "other", assemblies: [webAssembly("fresh"), changed]))
    }
    #expect(try store.deployable(named: "other") == nil)
    #expect(try store.assembly(named: "fresh") == nil, "half of a rejected import was kept")
    #expect(try store.assembly(named: "web")?.memoryMiB == 256)
}

@Test func anAssemblyInADeployableCannotBeDeleted() throws {
    let store = try Store()
    try store.importDeployable(Deployable(name: "dep", assemblies: [webAssembly()]))
    #expect(throws: StoreError.assemblyInUse(assembly: "web", deployables: ["dep"])) {
        try store.deleteAssembly(named: "web")
    }
    try store.removeAssembly("web", from: "dep")
    try store.deleteAssembly(named: "web")
    #expect(try store.assembly(named: "web") == nil)
}

@Test func membershipCommandsCheckWhatTheyAreGiven() throws {
    let store = try Store()
    try store.createDeployable(Deployable(name: "dep"))
    try store.createAssembly(webAssembly())
    #expect(throws: StoreError.notFound(kind: "assembly", name: "nope")) { try store.addAssembly("nope", to: "dep") }
    #expect(throws: StoreError.notFound(kind: "deployable", name: "nope")) { try store.addAssembly("web", to: "nope") }
    try store.addAssembly("web", to: "dep")
    #expect(throws: StoreError.alreadyMember(assembly: "web", deployable: "dep")) { try store.addAssembly("web", to: "dep") }
    #expect(throws: StoreError.alreadyExists(kind: "deployable", name: "dep")) {
        try store.createDeployable(Deployable(name: "dep"))
    }
    try store.removeAssembly("web", from: "dep")
    #expect(throws: StoreError.notMember(assembly: "web", deployable: "dep")) { try store.removeAssembly("web", from: "dep") }
}

@Test func eventSequenceNumbersOnlyGrow() throws {
    let path = temporaryStorePath()
    let first = try Store(path: path).append([
        StoredEvent(at: 1, deployable: "dep", kind: "deployable.starting", message: "starting"),
        StoredEvent(at: 2, deployable: "dep", assembly: "web", kind: "assembly.running", message: "web is running"),
    ])
    #expect(first.map(\.seq) == [1, 2])
    let store = try Store(path: path)
    let later = try store.append([StoredEvent(at: 3, deployable: "other", kind: "x", severity: .error, message: "m")])
    #expect(later[0].seq == 3)
    #expect(try store.events(after: 1).map(\.seq) == [2, 3])
    #expect(try store.events(deployable: "dep").map(\.message) == ["starting", "web is running"])
    #expect(try store.events(after: 2)[0].severity == .error)
}

@Test func failureHistoryAndStateArePersistedAndCleared() throws {
    let path = temporaryStorePath()
    let store = try Store(path: path)
    try store.record([
        FailureRecord(deployable: "dep", assembly: "web", resource: "httpd", at: 10, reason: "monitor rc 7"),
        FailureRecord(deployable: "dep", assembly: "web", at: 12, reason: "unreachable"),
    ])
    try store.save([
        RuntimeStateRecord(deployable: "dep", assembly: "web", state: "running", detail: #"{"address":"10.0.0.2"}"#, updatedAt: 5)
    ])
    try store.save([RuntimeStateRecord(deployable: "dep", assembly: "web", state: "failed", updatedAt: 6)])
    let reopened = try Store(path: path)
    #expect(try reopened.failures(deployable: "dep").count == 2)
    #expect(try reopened.states(deployable: "dep").map(\.state) == ["failed"])
    try reopened.clearFailures(deployable: "dep", assembly: "web", resource: "httpd")
    #expect(try reopened.failures(deployable: "dep").map(\.reason) == ["unreachable"])
}

@Test func theLastEventIsTheNewestOfThatDeployableFoundThroughItsIndex() throws {
    let store = try Store(path: temporaryStorePath())
    #expect(try store.lastEvent(deployable: "web") == nil)
    #expect(try store.lastEventSeq() == 0)
    let events = (1...2_000).map { index in
        StoredEvent(
            at: Double(index), deployable: index % 3 == 0 ? "db" : "web", kind: "x", message: "event \(index)")
    }
    try store.append(events)
    #expect(try store.lastEvent(deployable: "web")?.message == "event 2000")
    #expect(try store.lastEvent(deployable: "db")?.message == "event 1998")
    #expect(try store.lastEvent(deployable: "none") == nil)
    #expect(try store.lastEventSeq() == 2_000)
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

@Test func everyDefinitionChangeRecordsItsEventWithTheChange() throws {
    let store = try Store(path: temporaryStorePath())
    try store.importDeployable(Deployable(name: "dep", assemblies: [webAssembly()]))
    try store.importDeployable(Deployable(name: "dep", assemblies: [webAssembly()]), replace: true)
    try store.createDeployable(Deployable(name: "empty"))
    try store.createAssembly(webAssembly("db"))
    try store.addAssembly("db", to: "dep")
    try store.updateAssembly(named: "db") { $0.resources = [] }
    try store.removeAssembly("db", from: "dep")
    try store.deleteAssembly(named: "db")
    try store.deleteDeployable(named: "empty")
    let events = try store.events().map { "\($0.deployable)|\($0.assembly ?? "-")|\($0.kind)|\($0.message)" }
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
    #expect(throws: StoreError.self) { try store.importDeployable(Deployable(name: "dep", assemblies: [webAssembly()])) }
    #expect(throws: StoreError.self) { try store.deleteAssembly(named: "web") }
    #expect(try store.events().count == events.count)
}
