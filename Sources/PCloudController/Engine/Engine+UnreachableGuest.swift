import PCloudModel

/// An operation that could not reach its guest (connection refused or cut, no answer) says nothing
/// about the resource: the guest itself may be gone. Counted as the resource's failure it would ban
/// every instance there (migration-threshold), and the stops that follow, failing the same way, would
/// block them (stop-on-fail: block) on a guest that was merely switched off. So one liveness check
/// decides: unreachable, the assembly is lost (fenced, its resources forgotten and probed again when
/// it is back); reachable, the result stands as the resource's own failure.
extension Engine {
    /// The liveness to report instead of the operation's result, or nil when the result stands.
    static func guestLost(
        after result: OperationResult, of action: ResourceAction, _ id: ResourceID, monitor: any Monitor,
        endpoint: GuestEndpoint, timeout: Duration
    ) async -> Liveness? {
        guard let transportError = result.transportError,
            case .unreachable(let reason) = await monitor.liveness(of: endpoint, timeout: timeout)
        else { return nil }
        return .unreachable(reason: "\(reason) (\(action.rawValue) of \(id) could not reach it: \(transportError))")
    }
}
