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

    init(_ deployable: Deployable) {
        scenario = Scenario(deployable)
    }

    mutating func feed(_ input: PolicyInput) {
        history.append((input, scenario.now))
        observe(scenario.send(input))
    }

    mutating func observe(_ actions: [PlannedAction]) {
        for action in actions {
            switch action.step {
            case .probe(let id, let arguments), .start(let id, let arguments), .stop(let id, let arguments):
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
            feed(.operationCompleted(id, .monitor, choice % 3 == 0 ? .notRunning : .ok, incarnation: incarnation, detail: nil))
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
            feed(
                .operationCompleted(
                    id, .probe, [.ok, .notRunning, .notRunning, .unknownError][choice % 4], incarnation: arguments.incarnation,
                    detail: nil))
        case .start(let id, let arguments):
            inFlight[id] = nil
            feed(
                .operationCompleted(
                    id, .start, [.ok, .ok, .ok, .unknownError, .ok, .notInstalled][choice % 6],
                    incarnation: arguments.incarnation, detail: nil))
        case .stop(let id, let arguments):
            inFlight[id] = nil
            feed(
                .operationCompleted(
                    id, .stop, [.ok, .ok, .ok, .unknownError][choice % 4], incarnation: arguments.incarnation, detail: nil))
        case .startAssembly(let name):
            if choice % 5 == 0 {
                feed(.assemblyStartFailed(name, reason: "no capacity"))
            } else {
                feed(.assemblyStarted(name, address: "10.0.0.\(choice % 250)", hostname: nil))
                feed(.assemblyReachable(name))
            }
        case .fenceAssembly(let name):
            guestMayRun[name] = false
            feed(.assemblyFenced(name))
        case .stopAssembly(let name):
            guestMayRun[name] = false
            feed(.assemblyStopped(name))
        default: break
        }
    }
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
