import Foundation
import PCloudModel
import PCloudPolicy
import PCloudStore

/// Resuming after a controller restart: the saved runtime is matched against the guests the
/// infrastructure runs. A listing that fails is *unknown*, never "every guest is gone": taken as
/// empty, it made the policy fence and restart every guest after a libvirtd or Nova hiccup at the
/// wrong moment. The engine asks again with backoff, says so once in the event log, and does
/// nothing to the deployable's guests until it has an answer.
extension Engine {
    /// Returns false when cancelled (controller shutdown) before the infrastructure answered.
    func adoptGuests(_ saved: DeployableRuntime, retry: ListingRetry) async -> Bool {
        var failures = 0
        while true {
            do {
                let guests = try await infrastructure.guests(of: name)
                if failures > 0 {
                    await say(
                        "deployable.problem-cleared", .info,
                        "the guests of deployable \(name) were listed after \(failures) failed "
                            + (failures == 1 ? "attempt" : "attempts") + "; resuming")
                }
                adopt(saved, guests)
                return true
            } catch {
                if Task.isCancelled { return false }
                failures += 1
                let delay = retry.delay(after: failures)
                logger.warning("could not list the guests of \(name) (attempt \(failures)): \(error); again in \(delay)")
                if failures == 1 {
                    await say(
                        "deployable.problem", .warning,
                        "could not list the guests of deployable \(name) on \(infrastructure.kind) (\(error)): "
                            + "nothing is done to its guests until the infrastructure answers; retrying")
                }
                do { try await clock.sleep(for: delay) } catch { return false }
            }
        }
    }

    /// The saved runtime, matched against what runs now (`Resumption`), with the addresses the
    /// infrastructure knows for guests the runtime has none for.
    func adopt(_ saved: DeployableRuntime, _ guests: [GuestInfo]) {
        let power = Dictionary(guests.map { ($0.name.assembly, $0.power) }, uniquingKeysWith: { first, _ in first })
        var resumed = Resumption.resume(saved, guests: power)
        for guest in guests where resumed.assemblies[guest.name.assembly]?.address == nil {
            resumed.assemblies[guest.name.assembly]?.address = guest.address
        }
        runtime = resumed
    }

    /// One event of the deployable's own (not of an assembly or resource).
    func say(_ kind: String, _ severity: StoredEvent.Severity, _ message: String) async {
        do {
            _ = try await publish([
                StoredEvent(at: clock.now, deployable: name, kind: kind, severity: severity, message: message)
            ])
        } catch {
            logger.warning("\(message) (not recorded in the store: \(error))")
        }
    }
}
