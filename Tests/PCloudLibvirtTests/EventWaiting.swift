import Foundation
import PCloudModel

/// Waits for the first event in `stream` that matches, or nil after `timeout`.
func firstEvent(
    in stream: AsyncStream<GuestEvent>, timeout: Duration, where matches: @escaping @Sendable (GuestEvent) -> Bool
) async -> GuestEvent? {
    await withTaskGroup(of: GuestEvent?.self) { group in
        group.addTask {
            for await event in stream where matches(event) { return event }
            return nil
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
func eventually(timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// A name unique to one test run, so parallel tests never share a domain.
func uniqueName(_ stem: String) -> String { "\(stem)\(UUID().uuidString.prefix(6).lowercased())" }
