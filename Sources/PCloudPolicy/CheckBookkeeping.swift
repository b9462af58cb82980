import PCloudModel

/// What a liveness check only notes down (the uptime it saw, a start time filled in): changes that
/// need not be saved or reported on their own.
extension DeployableRuntime {
    public func sameApartFromChecks(_ other: DeployableRuntime) -> Bool {
        var mine = self
        var theirs = other
        mine.forgetCheckBookkeeping()
        theirs.forgetCheckBookkeeping()
        return mine == theirs
    }

    mutating func forgetCheckBookkeeping() {
        for name in assemblies.keys {
            assemblies[name]?.uptime = nil
            assemblies[name]?.startedAt = nil
        }
    }
}

extension PolicyInput {
    /// A monitor's result that often changes nothing.
    public var isCheck: Bool {
        if case .livenessChecked = self { return true }
        return false
    }
}
