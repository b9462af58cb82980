import Foundation
import PCloudModel
import PCloudPolicy
import PCloudStore

/// The engine's runtime in the store: one row per deployable, assembly and resource, for status
/// views; the deployable's row carries the whole runtime as JSON so a restarted controller resumes
/// with the same failure history and pending work.
enum RuntimePersistence {
    /// `epoch`: the lease the engine acts under, checked in the same transaction (nil: one controller).
    static func save(
        _ runtime: DeployableRuntime, _ deployable: Deployable, store: Store, at now: Double, epoch: Int64? = nil
    ) async throws {
        var records: [RuntimeStateRecord] = []
        let whole = String(decoding: try JSONEncoder().encode(runtime), as: UTF8.self)
        records.append(
            RuntimeStateRecord(
                deployable: deployable.name, state: runtime.state.rawValue,
                detail: json(["desired": runtime.desired.rawValue, "runtime": whole]), updatedAt: now))
        for assembly in deployable.assemblies {
            guard let state = runtime.assemblies[assembly.name] else { continue }
            records.append(
                RuntimeStateRecord(
                    deployable: deployable.name, assembly: assembly.name, state: state.state.rawValue,
                    detail: json(["address": state.address, "reason": state.lastReason, "failures": state.failures.total]),
                    updatedAt: now))
            for resource in assembly.resources {
                guard let state = runtime.resources[ResourceID(assembly: assembly.name, resource: resource.name)] else {
                    continue
                }
                records.append(
                    RuntimeStateRecord(
                        deployable: deployable.name, assembly: assembly.name, resource: resource.name,
                        state: state.state.rawValue,
                        detail: json([
                            "reason": state.lastReason, "failures": state.failures.total, "rc": state.lastCode?.rawValue,
                        ]),
                        updatedAt: now))
            }
        }
        try await store.save(records, epoch: epoch)
    }

    /// The runtime saved for `deployable`, if it was ever started.
    static func load(_ deployable: Deployable, store: Store) async throws -> DeployableRuntime? {
        let records = try await store.statesAsync(deployable: deployable.name)
        guard let row = records.first(where: { $0.assembly.isEmpty && $0.resource.isEmpty }), let detail = row.detail,
            let object = try JSONSerialization.jsonObject(with: Data(detail.utf8)) as? [String: Any],
            let text = object["runtime"] as? String
        else { return nil }
        return try JSONDecoder().decode(DeployableRuntime.self, from: Data(text.utf8))
    }

    static func json(_ values: [String: Any?]) -> String {
        let present = values.compactMapValues { $0 }
        guard let data = try? JSONSerialization.data(withJSONObject: present, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
