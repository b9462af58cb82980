import GRDB

/// Versioned migrations, the same list for both backends: each has one identifier, its SQLite form
/// (GRDB's migrator) and its PostgreSQL form (`PostgresMigrator`), side by side so they change
/// together. Each migration runs in its own transaction; a store opened by an older pcloud is
/// upgraded in place, never rebuilt.
enum Schema {
    static let v1 = "v1: definitions, runtime state, failures, events"
    static let v2 = "v2: cluster membership and leases"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(v1) { db in
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
        migrator.registerMigration(v2) { db in
            // Times here are the database's clock (seconds since 1970), never a controller's.
            try db.create(table: "member") { t in
                t.primaryKey("controller", .text)
                t.column("address", .text).notNull()
                t.column("heartbeatAt", .double).notNull()
                t.column("startedAt", .double).notNull()
            }
            // One row per deployable ever claimed: a release keeps the row (holder NULL) so the
            // epoch only ever grows and an old holder's token can never become current again.
            try db.create(table: "lease") { t in
                t.primaryKey("deployable", .text)
                t.column("holder", .text)
                t.column("epoch", .integer).notNull()
                t.column("expiresAt", .double).notNull()
            }
        }
        return migrator
    }
}

extension Schema {
    /// The PostgreSQL form of each migration, in order. Names are unquoted, so PostgreSQL folds them
    /// to lower case and the same SQL text works on both backends.
    static let postgres: [(identifier: String, statements: [String])] = [
        (
            v1,
            [
                """
                CREATE TABLE assembly (name text PRIMARY KEY, definition text NOT NULL,
                    createdAt double precision NOT NULL, updatedAt double precision NOT NULL)
                """,
                """
                CREATE TABLE deployable (name text PRIMARY KEY, uuid text NOT NULL UNIQUE, definition text NOT NULL,
                    createdAt double precision NOT NULL, updatedAt double precision NOT NULL)
                """,
                """
                CREATE TABLE deployableAssembly (
                    deployable text NOT NULL REFERENCES deployable(name) ON DELETE CASCADE,
                    assembly text NOT NULL REFERENCES assembly(name) ON DELETE RESTRICT,
                    position bigint NOT NULL, PRIMARY KEY (deployable, assembly))
                """,
                """
                CREATE TABLE runtimeState (deployable text NOT NULL, assembly text NOT NULL, resource text NOT NULL,
                    state text NOT NULL, detail text, updatedAt double precision NOT NULL,
                    PRIMARY KEY (deployable, assembly, resource))
                """,
                """
                CREATE TABLE failure (id bigserial PRIMARY KEY, deployable text NOT NULL, assembly text NOT NULL,
                    resource text NOT NULL, at double precision NOT NULL, reason text NOT NULL)
                """,
                "CREATE INDEX failure_on_deployable ON failure (deployable)",
                """
                CREATE TABLE event (seq bigserial PRIMARY KEY, at double precision NOT NULL, deployable text NOT NULL,
                    assembly text, resource text, kind text NOT NULL, severity text NOT NULL, message text NOT NULL,
                    data text)
                """,
                "CREATE INDEX event_on_deployable ON event (deployable)",
            ]
        ),
        (
            v2,
            [
                """
                CREATE TABLE member (controller text PRIMARY KEY, address text NOT NULL,
                    heartbeatAt timestamptz NOT NULL, startedAt timestamptz NOT NULL)
                """,
                """
                CREATE TABLE lease (deployable text PRIMARY KEY, holder text, epoch bigint NOT NULL,
                    expiresAt timestamptz NOT NULL)
                """,
            ]
        ),
    ]
}
