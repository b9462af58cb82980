import PCloudModel

/// Results of resource operations: the state they imply (the original's derivation rules) and what
/// a failure leads to (on-fail, escalation, backoff).
extension Plan {
    mutating func operationCompleted(
        _ id: ResourceID, _ action: ResourceAction, _ code: OCFExitCode, incarnation: Int, detail: String?
    ) {
        guard let assembly = runtime.assemblies[id.assembly], assembly.incarnation == incarnation,
            assembly.state == .running, var resource = runtime.resources[id]
        else { return }  // stale: the assembly was fenced or stopped since the operation began
        if action != .monitor {  // recurring monitors run on the engine's timer, never pending
            guard resource.pending == action else { return }
            resource.pending = nil
            resource.pendingDeadline = nil
        }
        resource.lastCode = code
        runtime.resources[id] = resource
        let what = detail.map { "\(code.reason): \($0)" } ?? code.reason
        if runtime.inMaintenance, runtime.isUnmanaged(id) { return unmanagedResult(id, action, code, what, detail) }
        switch action {
        case .probe:
            switch code {
            case .ok:
                becomeRunning(id)
                if resource.leftMaintenance == true {
                    runtime.resources[id]?.leftMaintenance = nil
                    add(.adopted(id), "\(id) left maintenance and was found running: adopted as it is")
                }
            case .notRunning: runtime.resources[id]?.state = .stopped
            default:
                runtime.resources[id]?.leftMaintenance = nil
                failedOperation(id, action, code, what)
            }
        case .start:
            if code == .ok {
                becomeRunning(id)
            } else {
                failedOperation(id, action, code, what)
            }
        case .stop:
            if code == .ok {
                runtime.resources[id]?.state = .stopped
            } else if code.isHardError {
                unrecoverable(id, "stop of \(id) failed: \(what)")
            } else if policy.resources[id]?.stopOnFail == .block {
                recordFailure(id, action, code, detail)
                runtime.resources[id]?.state = .blocked
                runtime.resources[id]?.lastReason = "stop of \(id) failed (\(what))"
                add(
                    .block(id),
                    "stop of \(id) failed (\(what)): blocked (stop-on-fail: block); nothing more is done until an operator cleans it up"
                )
            } else if let holder = runtime.heldBy(assembly: id.assembly) {
                recordFailure(id, action, code, detail)
                runtime.resources[id]?.state = .blocked
                runtime.resources[id]?.lastReason = "stop of \(id) failed (\(what))"
                add(
                    .block(id),
                    "stop of \(id) failed (\(what)) and assembly \(id.assembly) cannot be fenced while \(label(holder)) is in "
                        + "maintenance: blocked; nothing more is done until an operator cleans it up")
            } else {
                // A resource that cannot be stopped may still be running: fence its assembly.
                runtime.resources[id]?.state = .failed
                assemblyFailed(id.assembly, because: "stop of \(id) failed (\(what))")
            }
        case .monitor:
            guard resource.state == .running else { return }
            if code != .ok { failedOperation(id, action, code, what) }
        }
    }

    mutating func becomeRunning(_ id: ResourceID) {
        guard var resource = runtime.resources[id], let definition = policy.resources[id] else { return }
        resource.state = .running
        resource.lastReason = nil
        runtime.resources[id] = resource
        if !resource.monitoring,
            let arguments = arguments(
                for: id, timeout: definition.monitor.timeout,
                interval: definition.monitor.interval)
        {
            runtime.resources[id]?.monitoring = true
            add(
                .scheduleMonitor(id, arguments),
                "\(id) is running: monitoring it every \(DurationText.format(definition.monitor.interval))")
        }
    }

    mutating func recordFailure(_ id: ResourceID, _ action: ResourceAction, _ code: OCFExitCode, _ detail: String?) {
        runtime.resources[id]?.lastFailure = FailedAction(action: action, code: code, at: now, detail: detail)
    }

    mutating func failedOperation(_ id: ResourceID, _ action: ResourceAction, _ code: OCFExitCode, _ what: String) {
        recordFailure(id, action, code, what)
        let verb = action == .monitor ? "monitor of \(id) failed" : "\(action.rawValue) of \(id) failed"
        if code.isHardError {
            unrecoverable(id, "\(verb): \(what)")
        } else {
            resourceFailed(id, because: "\(verb): \(what)")
        }
    }

    mutating func unrecoverable(_ id: ResourceID, _ why: String) {
        cancelMonitor(id, why)
        runtime.resources[id]?.state = .unrecoverable
        runtime.resources[id]?.lastReason = why
        add(.markUnrecoverable(id), why + ": a hard error, so \(id) is left stopped until an operator cleans it up")
    }

    mutating func cancelMonitor(_ id: ResourceID, _ why: String) {
        guard runtime.resources[id]?.monitoring == true else { return }
        runtime.resources[id]?.monitoring = false
        add(.cancelMonitor(id), why)
    }

    /// A resource failed: what its `on-fail` says, counting towards its escalation limit.
    mutating func resourceFailed(_ id: ResourceID, because why: String) {
        guard let definition = policy.resources[id] else { return }
        runtime.resources[id]?.lastReason = why
        switch definition.onFail {
        case .ignore:
            _ = runtime.resources[id]?.failures.record(at: now, limit: nil, expiry: definition.failureExpiry)
            add(.failureIgnored(id), why + ": ignored (on-fail: ignore)")
        case .block:
            cancelMonitor(id, why)
            runtime.resources[id]?.state = .blocked
            add(.block(id), why + ": blocked (on-fail: block); nothing more is done until an operator cleans it up")
        case .stop:
            cancelMonitor(id, why)
            runtime.resources[id]?.state = .failed
            runtime.resources[id]?.disabled = true
            add(.restartResource(id), why + ": stopping it and leaving it stopped (on-fail: stop)")
        case .escalate:
            if let holder = runtime.heldBy(assembly: id.assembly) {
                restartInPlace(
                    id, definition,
                    because: why + " (on-fail: escalate); restarting assembly \(id.assembly) is held back while "
                        + "\(label(holder)) is in maintenance")
            } else {
                assemblyFailed(id.assembly, because: why + " (on-fail: escalate)")
            }
        case .restart:
            restartOrEscalate(id, definition, because: why)
        }
    }

    mutating func restartOrEscalate(_ id: ResourceID, _ definition: Resource, because why: String) {
        let decision = runtime.resources[id]!.failures.record(
            at: now, limit: definition.escalation, expiry: definition.failureExpiry)
        switch decision {
        case .escalate(let failures, let within):
            let limit = definition.escalation!
            let text =
                "resource \(id) failed \(failures) times in \(DurationText.format(within)) "
                + "(limit \(limit.failures) in \(DurationText.format(limit.period))): escalating to restart assembly \(id.assembly)"
            if let holder = runtime.heldBy(assembly: id.assembly) {
                restartInPlace(
                    id, definition, because: why + "; " + text + ", which is held back while \(label(holder)) is in maintenance")
                return
            }
            runtime.resources[id]?.lastReason = text
            add(.restartResource(id), why + "; " + text)
            assemblyFailed(id.assembly, because: text)
        case .restart:
            restartInPlace(id, definition, because: why)
        }
    }

    /// Stop, then start again (after a backoff delay if it has one); a banned placed instance moves instead.
    mutating func restartInPlace(_ id: ResourceID, _ definition: Resource, because why: String) {
        if let instance = policy.placedIDs[id], banned(instance.name, on: id.assembly, instance.placed) != nil {
            // Banned here: placement moves it, and the stop that follows says where to.
            cancelMonitor(id, why)
            runtime.resources[id]?.state = .failed
            return
        }
        var reason = why + ": restarting it (stop, then start)"
        if let backoff = definition.backoff {
            let recent = runtime.resources[id]!.failures.recent(now: now, expiry: definition.failureExpiry)
            let delay = Self.backoffDelay(backoff, failures: recent)
            runtime.resources[id]?.notBefore = now + delay.seconds
            reason += " after \(DurationText.format(delay)) (backoff)"
        }
        add(.restartResource(id), reason)
        cancelMonitor(id, why)
        runtime.resources[id]?.state = .failed
    }

    /// `base`, doubled for each further recent failure, capped. Never doubles past the cap, so no
    /// base or cap (even one read back from an old store, longer than a definition allows) can overflow.
    static func backoffDelay(_ backoff: RestartBackoff, failures: Int) -> Duration {
        var delay = backoff.base
        for _ in 1..<max(1, failures) {
            if delay >= backoff.cap / 2 { return backoff.cap }
            delay = delay * 2
        }
        return min(delay, backoff.cap)
    }
}
