import Foundation
import PCloudModel
import Synchronization
import Testing

@testable import PCloudOpenStack

/// cped's shutdown finishes the watch: every subscriber's stream ends and the listing stops (before,
/// the polling task lived as long as a subscriber held on, with nothing to end it).
@Test func finishingTheWatchEndsEveryStreamAndTheListing() async throws {
    let listings = Atomic<Int>(0)
    let watch = OpenStackServerWatch(interval: .milliseconds(20)) {
        listings.add(1, ordering: .relaxed)
        return []
    }
    let streams = [watch.events(of: "a"), watch.events(of: "b")]
    while listings.load(ordering: .relaxed) < 2 { try await Task.sleep(for: .milliseconds(5)) }
    watch.finish()
    for stream in streams {
        for await event in stream { Issue.record("an event after finish: \(event)") }  // ends at once
    }
    #expect(watch.subscriberCount == 0)
    let atFinish = listings.load(ordering: .relaxed)
    try await Task.sleep(for: .milliseconds(200))  // ten intervals: a listing still running would show
    #expect(listings.load(ordering: .relaxed) <= atFinish + 1, "listings went on after finish")
}
