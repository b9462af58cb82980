import Foundation
import NIOHTTP1
import PCloudTestSupport
import Testing

/// The ClusterIP scenario's world: guests a and b (sshd in their own namespaces), a real cped that
/// reaches both with one key, and the static deployable equivalent to Deployables/clusterip.yaml.
final class ClusterIPWorld: @unchecked Sendable {
    let a: AddressGuest
    let b: AddressGuest
    let cped: ControllerProcess

    struct Placed: Equatable, CustomStringConvertible {
        var assembly: String?
        var state: String
        var description: String { "\(state)@\(assembly ?? "-")" }
    }

    struct Event {
        var seq: Int
        var kind: String
        var assembly: String?
        var resource: String?
        var message: String
    }

    init() throws {
        // Two distinct /30s for the veth pairs, picked at random so parallel runs rarely collide.
        let first = Int.random(in: 0...255)
        a = try AddressGuest(subnet: first)
        b = try AddressGuest(subnet: (first + Int.random(in: 1...255)) % 256)
        // Both guests accept the controller's key (a's client key).
        try FileManager.default.removeItem(atPath: b.sshd.path("authorized_keys"))
        try FileManager.default.copyItem(atPath: a.sshd.clientKeyPath + ".pub", toPath: b.sshd.path("authorized_keys"))
        try a.sshd.start()
        try b.sshd.start()
        cped = try ControllerProcess(extraArguments: ["--ssh-key", a.sshd.clientKeyPath])
    }

    /// Deployables/clusterip.yaml on static guests: `nic` is the namespace's own interface, and the
    /// monitor runs every 2 s instead of 10 s so the test is quicker.
    var yaml: String {
        """
        name: clusterip
        infrastructure: {type: static}
        monitor: {method: ssh, interval: 1s, timeout: 5s}
        assemblies:
          - name: a
            address: \(a.address)
            ssh: {user: root, port: 22, host-key: "\(a.sshd.hostKey)"}
          - name: b
            address: \(b.address)
            ssh: {user: root, port: 22, host-key: "\(b.sshd.hostKey)"}
        resources:
          - name: ClusterIP
            class: ocf
            provider: heartbeat
            type: IPaddr2
            parameters:
              ip: 192.168.200.10
              nic: \(AddressGuest.interface)
              cidr_netmask: 24
              unique_clone_address: true
            monitor: {interval: 2s, timeout: 20s}
            on-fail: restart
            stop-on-fail: block
            over: [a, b]
            clone: {name: CloneIP, max: 33, per-assembly-max: 33, globally-unique: true}
            stickiness: INFINITY
            migration-threshold: 1

        """
    }

    func api(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> (status: UInt, json: Any?, text: String) {
        try await APIClient.unix(cped.socketPath).call(method, path, body: body)
    }

    func pcloudsh(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runCommand(BuiltProducts.path("pcloudsh"), arguments + ["--socket", cped.socketPath])
    }

    func status() async throws -> [String: Any] {
        try await api(.GET, "/v1/deployables/clusterip/status").json as? [String: Any] ?? [:]
    }

    /// Every instance of the clone → where the controller says it runs and in which state.
    func placement() async throws -> [String: Placed] {
        let placed = try await status()["placed"] as? [[String: Any]] ?? []
        let instances = placed.first?["instances"] as? [[String: Any]] ?? []
        return Dictionary(
            instances.map {
                ($0["name"] as? String ?? "?", Placed(assembly: $0["assembly"] as? String, state: $0["state"] as? String ?? "?"))
            },
            uniquingKeysWith: { first, _ in first })
    }

    /// `ClusterIP:7 monitor on b 'not running' (7)` for each failed action in the status.
    func failedActions() async throws -> [String] {
        let failed = try await status()["failedActions"] as? [[String: Any]] ?? []
        return failed.map {
            "\($0["resource"] ?? "?") \($0["action"] ?? "?") on \($0["assembly"] ?? "?") '\($0["meaning"] ?? "?")' (\($0["code"] ?? "?"))"
        }
    }

    /// The deployable's events after `seq`, every page of them.
    func events(after seq: Int = 0) async throws -> [Event] {
        var events: [Event] = []
        var after = seq
        while true {
            let answer = try await api(.GET, "/v1/events?deployable=clusterip&after=\(after)&limit=10000")
            guard answer.status == 200, let page = answer.json as? [[String: Any]] else {
                throw ControllerError("events: \(answer.status) \(answer.text)")
            }
            events += page.map {
                Event(
                    seq: $0["seq"] as? Int ?? 0, kind: $0["kind"] as? String ?? "", assembly: $0["assembly"] as? String,
                    resource: $0["resource"] as? String, message: $0["message"] as? String ?? "")
            }
            guard page.count == 10000, let last = events.last?.seq else { return events }
            after = last
        }
    }

    func lastSeq() async throws -> Int { try await events().map(\.seq).max() ?? 0 }

    /// Polls until `condition` holds, or `seconds` pass.
    func waitFor(seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(500))
        }
        return try await condition()
    }

    /// Polls until the controller's placement and the addresses present in a's and b's namespaces
    /// satisfy `condition`; records an issue showing both when they never do.
    func expectSettles(
        _ what: String, seconds: Double, sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: @escaping ([String: Placed], Set<String>, Set<String>) -> Bool
    ) async throws {
        let settled = try await waitFor(seconds: seconds) {
            condition(try await placement(), try a.addresses(), try b.addresses())
        }
        if !settled { Issue.record("\(what): \(try await describe())", sourceLocation: sourceLocation) }
    }

    /// What a failed expectation shows: the placement, the addresses and the latest events.
    func describe() async throws -> String {
        let placement = try await placement().sorted { $0.key.localizedStandardCompare($1.key) == .orderedAscending }
        let events = try await events().filter { $0.kind != "resource.monitor" }.suffix(80).map {
            "\($0.seq) \($0.kind) \($0.message)"
        }
        return """
            placement: \(placement.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            a: \(try a.addresses().sorted())
            b: \(try b.addresses().sorted())
            events:
            \(events.joined(separator: "\n"))
            """
    }

    func stop() {
        cped.stop()
        a.sshd.stop()
        b.sshd.stop()
    }
}
