import PCloudModel
import PCloudPolicy

/// A world that answers the policy's actions with results chosen by a sequence of numbers (from the
/// property-test generator) and checks the safety properties after every plan.
struct RandomWorld {
    var scenario: Scenario
    var outstanding: [PlannedAction] = []
    var monitored: [ResourceID: Int] = [:]
    var inFlight: [ResourceID: Int] = [:]
    var guestMayRun: [String: Bool] = [:]
    var history: [(PolicyInput, Double)] = []
    var violations: [String] = []
    /// Copies of placed instances that may run: started, or found running, and not since stopped or
    /// confirmed off with their guest.
    var mayRun: Set<ResourceID> = []
    /// The elements this world put into maintenance and when each runs out (nil: a world that never does).
    var maintained: [MaintenanceElement: Double?]?

    init(_ deployable: Deployable) {
        scenario = Scenario(deployable)
    }

    mutating func feed(_ input: PolicyInput) {
        history.append((input, scenario.now))
        expireMaintained()
        observe(scenario.send(input))
    }

    mutating func observe(_ actions: [PlannedAction]) {
        for action in actions {
            checkMaintenance(action)
            switch action.step {
            case .probe(let id, let arguments), .start(let id, let arguments), .stop(let id, let arguments):
                if case .start = action.step { checkPlacedStart(id) }
                if inFlight[id] == arguments.incarnation { violations.append("two operations in flight on \(id): \(action)") }
                inFlight[id] = arguments.incarnation
                outstanding.append(action)
            case .startAssembly(let name):
                if guestMayRun[name] == true { violations.append("\(name) started while its old guest is not confirmed off") }
                guestMayRun[name] = true
                outstanding.append(action)
            case .fenceAssembly, .stopAssembly:
                outstanding.append(action)
            case .scheduleMonitor(let id, let arguments): monitored[id] = arguments.incarnation
            case .cancelMonitor(let id): monitored[id] = nil
            default: break
            }
        }
    }

    /// One move of the world, chosen by `choice`.
    mutating func move(_ choice: Int) {
        scenario.advance(Double(choice % 7) * 0.5)
        let kind = choice % 10
        if kind < 6, !outstanding.isEmpty {
            answer(outstanding.remove(at: (choice / 10) % outstanding.count), choice / 100)
        } else if kind < 8, !monitored.isEmpty {
            let (id, incarnation) = monitored.sorted { $0.key < $1.key }[(choice / 10) % monitored.count]
            let code: OCFExitCode = choice % 3 == 0 ? .notRunning : .ok
            // What the monitor says is the world's truth: a copy reported not running no longer runs
            // (an unmanaged one is not stopped by the policy, so nothing else would say so), and one
            // reported running (started again by hand while unmanaged) runs.
            if isPlaced(id), incarnation == scenario.incarnation(id.assembly) {
                if code == .notRunning { mayRun.remove(id) } else { mayRun.insert(id) }
            }
            feed(.operationCompleted(id, .monitor, code, incarnation: incarnation, detail: nil))
        } else if kind == 8 {
            let names = scenario.policy.deployable.assemblies.map(\.name)
            feed(.assemblyLost(names[(choice / 10) % names.count], reason: "lost"))
        } else {
            feed(.tick)
        }
    }

    mutating func answer(_ action: PlannedAction, _ choice: Int) {
        switch action.step {
        case .probe(let id, let arguments):
            inFlight[id] = nil
            let code: OCFExitCode = [.ok, .notRunning, .notRunning, .unknownError][choice % 4]
            // A copy found running counts, unless its guest was fenced since (the result is stale).
            // One found not running no longer runs (probed again after maintenance, it may have been stopped by hand).
            if isPlaced(id), arguments.incarnation == scenario.incarnation(id.assembly) {
                if code == .notRunning { mayRun.remove(id) } else { mayRun.insert(id) }
            }
            feed(.operationCompleted(id, .probe, code, incarnation: arguments.incarnation, detail: nil))
        case .start(let id, let arguments):
            inFlight[id] = nil
            feed(
                .operationCompleted(
                    id, .start, [.ok, .ok, .ok, .unknownError, .ok, .notInstalled][choice % 6],
                    incarnation: arguments.incarnation, detail: nil))
        case .stop(let id, let arguments):
            inFlight[id] = nil
            let code: OCFExitCode = [.ok, .ok, .ok, .unknownError][choice % 4]
            if code == .ok { mayRun.remove(id) }
            feed(.operationCompleted(id, .stop, code, incarnation: arguments.incarnation, detail: nil))
        case .startAssembly(let name):
            if choice % 5 == 0 {
                feed(.assemblyStartFailed(name, reason: "no capacity"))
            } else {
                feed(.assemblyStarted(name, address: "10.0.0.\(choice % 250)", hostname: nil))
                feed(.assemblyReachable(name))
            }
        case .fenceAssembly(let name):
            guestMayRun[name] = false
            mayRun = mayRun.filter { $0.assembly != name }
            feed(.assemblyFenced(name))
        case .stopAssembly(let name):
            guestMayRun[name] = false
            mayRun = mayRun.filter { $0.assembly != name }
            feed(.assemblyStopped(name))
        default: break
        }
    }
}

extension RandomWorld {
    func isPlaced(_ id: ResourceID) -> Bool {
        scenario.policy.deployable.resources.contains { $0.name == PlacedResource.split(id.resource).resource }
    }

    /// A placed instance starts only where it is placed, while no other copy may run, and no
    /// assembly is given more instances than its maximum.
    mutating func checkPlacedStart(_ id: ResourceID) {
        guard isPlaced(id) else { return }
        let (name, _) = PlacedResource.split(id.resource)
        if let other = mayRun.first(where: { $0.resource == id.resource && $0.assembly != id.assembly }) {
            violations.append("\(id) started while \(other) may still run")
        }
        if scenario.runtime.placement?.assignment[id.resource] != id.assembly {
            violations.append("\(id) started where it is not placed")
        }
        mayRun.insert(id)
        guard let placed = scenario.policy.deployable.resources.first(where: { $0.name == name }) else { return }
        let here =
            scenario.runtime.placement?.assignment.filter {
                PlacedResource.split($0.key).resource == name && $0.value == id.assembly
            }.count ?? 0
        if here > placed.perAssemblyMax { violations.append("\(here) instances of \(name) placed on \(id.assembly)") }
    }
}

/// Two clones (one unique) and a floating address over three assemblies, next to an ordinary resource,
/// ordered: a/local, then vip, then every wide instance.
func randomPlacementDeployable() -> Deployable {
    func ip(_ name: String, expiry: Duration?) -> Resource {
        Resource(
            name: name, resourceClass: .ocf, type: "IPaddr2", provider: "heartbeat",
            monitor: OperationTiming(interval: .seconds(1), timeout: .seconds(5)), failureExpiry: expiry)
    }
    return Deployable(
        name: "ips", infrastructure: .static,
        assemblies: ["a", "b", "c"].map {
            Assembly(name: $0, resources: $0 == "a" ? [ip("local", expiry: nil)] : [])
        },
        ordering: [
            Ordering(first: ResourceID("a/local")!, then: ResourceID(placed: "vip")),
            Ordering(first: ResourceID(placed: "vip"), then: ResourceID(placed: "wide")),
        ],
        resources: [
            PlacedResource(
                resource: ip("ip", expiry: .seconds(5)), over: ["a", "b", "c"],
                clone: CloneSettings(name: "ips", max: 5, perAssemblyMax: 2, globallyUnique: true),
                stickiness: PlacedResource.infinity, migrationThreshold: 1),
            PlacedResource(
                resource: ip("wide", expiry: nil), over: ["b", "c"],
                clone: CloneSettings(name: "wides", max: 3, perAssemblyMax: 3, globallyUnique: false), stickiness: 0,
                migrationThreshold: 2),
            PlacedResource(resource: ip("vip", expiry: .seconds(3)), over: ["c", "a"], stickiness: 0, migrationThreshold: 1),
        ])
}

/// Three assemblies in a chain, with a reference, limits, backoff and an ignored resource.
func randomWorldDeployable() -> Deployable {
    func resource(_ name: String, _ onFail: OnFail = .restart, parameters: [Parameter] = []) -> Resource {
        Resource(
            name: name, resourceClass: .ocf, type: "Dummy", provider: "heartbeat", parameters: parameters,
            monitor: OperationTiming(interval: .seconds(1), timeout: .seconds(5)), onFail: onFail,
            escalation: EscalationLimit(failures: 2, period: .seconds(10)),
            backoff: name == "cache" ? RestartBackoff(base: .seconds(1), cap: .seconds(4)) : nil)
    }
    let reference = Parameter(name: "db", value: .reference(ParameterReference(assembly: "db", parameter: .ipaddress)))
    return Deployable(
        name: "shop", infrastructure: .static,
        assemblies: [
            Assembly(
                name: "db", escalation: EscalationLimit(failures: 3, period: .seconds(20)), resources: [resource("mariadb")]),
            Assembly(
                name: "web",
                resources: [resource("httpd", parameters: [reference]), resource("cache"), resource("stats", .ignore)]),
            Assembly(name: "lb", escalation: EscalationLimit(failures: 2, period: .seconds(5)), resources: [resource("haproxy")]),
        ],
        ordering: [
            Ordering(first: ResourceID("db/mariadb")!, then: ResourceID("web/httpd")!),
            Ordering(first: ResourceID("web/httpd")!, then: ResourceID("lb/haproxy")!),
        ],
        escalation: EscalationLimit(failures: 3, period: .seconds(60)))
}
