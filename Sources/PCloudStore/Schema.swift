import GRDB

/// Versioned migrations. Each migration runs in its own transaction; a store opened by an older
/// pcloud is upgraded in place, never rebuilt.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: definitions, runtime state, failures, events") { db in
            try db.create(table: "assembly") { t in
                t.primaryKey("name", .text)
                t.column("definition", .text).notNull()  // Assembly as JSON
                t.column("createdAt", .double).notNull()
                t.column("updatedAt", .double).notNull()
            }
            try db.create(table: "deployable") { t in
                t.primaryKey("name", .text)
                t.column("uuid", .text).notNull().unique()
                t.column("definition", .text).notNull()  // Deployable without its assemblies, as JSON
                t.column("createdAt", .double).notNull()
                t.column("updatedAt", .double).notNull()
            }
            try db.create(table: "deployableAssembly") { t in
                t.column("deployable", .text).notNull().references("deployable", onDelete: .cascade)
                t.column("assembly", .text).notNull().references("assembly", onDelete: .restrict)
                t.column("position", .integer).notNull()
                t.primaryKey(["deployable", "assembly"])
            }
            try db.create(table: "runtimeState") { t in
                t.column("deployable", .text).notNull()
                t.column("assembly", .text).notNull()  // "" for the deployable itself
                t.column("resource", .text).notNull()  // "" for an assembly
                t.column("state", .text).notNull()
                t.column("detail", .text)  // JSON: address, instance id, last result...
                t.column("updatedAt", .double).notNull()
                t.primaryKey(["deployable", "assembly", "resource"])
            }
            try db.create(table: "failure") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("deployable", .text).notNull().indexed()
                t.column("assembly", .text).notNull()
                t.column("resource", .text).notNull()
                t.column("at", .double).notNull()
                t.column("reason", .text).notNull()
            }
            try db.create(table: "event") { t in
                t.autoIncrementedPrimaryKey("seq")  // monotonically increasing, never reused
                t.column("at", .double).notNull()
                t.column("deployable", .text).notNull().indexed()
                t.column("assembly", .text)
                t.column("resource", .text)
                t.column("kind", .text).notNull()
                t.column("severity", .text).notNull()
                t.column("message", .text).notNull()
                t.column("data", .text)
            }
        }
        return migrator
    }
}
