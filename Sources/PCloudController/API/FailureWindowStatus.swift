import Foundation
import PCloudModel
import PCloudPolicy

extension DeployableStatus {
    /// Where a resource or guest stands against its escalation limit (`crm_mon`'s fail-count against
    /// migration-threshold), and until when it is held back before its next start.
    public struct FailureWindowStatus: Codable, Sendable, Equatable {
        /// Failures in the window that still count now (failure-expiry applied).
        public var recent: Int
        /// The limit they count against; nil: no escalation, it is restarted in place every time.
        public var limit: Int?
        /// The window's length in seconds.
        public var period: Double?
        /// Not started again before this time (seconds since 1970): the back-off after repeated failures.
        public var notBefore: Double?
    }

    /// The runtime's guest details and failure windows, from the engine's saved runtime.
    mutating func addWindows(_ deployable: Deployable, _ runtime: DeployableRuntime?, now: Double) {
        for (index, assembly) in deployable.assemblies.enumerated() {
            let guest = runtime?.assemblies[assembly.name]
            assemblies[index].bootID = guest?.bootID
            assemblies[index].uptime = guest?.uptime
            assemblies[index].hostKey = guest?.hostKey ?? assembly.ssh.hostKey
            if let guest {
                assemblies[index].window = FailureWindowStatus(
                    recent: guest.failures.recent(now: now, expiry: nil), limit: assembly.escalation?.failures,
                    period: assembly.escalation?.period.seconds, notBefore: guest.notBefore)
            }
            for (number, resource) in assembly.resources.enumerated() {
                guard let state = runtime?.resources[ResourceID(assembly: assembly.name, resource: resource.name)] else {
                    continue
                }
                assemblies[index].resources[number].window = FailureWindowStatus(
                    recent: state.failures.recent(now: now, expiry: resource.failureExpiry),
                    limit: resource.escalation?.failures, period: resource.escalation?.period.seconds,
                    notBefore: state.notBefore)
            }
        }
    }
}
