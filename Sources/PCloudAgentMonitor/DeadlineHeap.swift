import PCloudModel

/// When each guest's silence becomes a verdict, earliest first (a binary min-heap). Judging pops
/// the deadlines that passed instead of scanning every guest on every tick, so a tick costs
/// nothing when no guest went silent, whatever the number of guests. An entry whose guest was
/// heard again since is stale: the ledger checks the record and skips it.
struct DeadlineHeap {
    struct Entry {
        var deadline: ContinuousClock.Instant
        var guest: GuestName
    }

    private var entries: [Entry] = []

    var count: Int { entries.count }

    mutating func push(_ guest: GuestName, at deadline: ContinuousClock.Instant) {
        entries.append(Entry(deadline: deadline, guest: guest))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].deadline < entries[parent].deadline else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry whose deadline is before `now`.
    mutating func popExpired(now: ContinuousClock.Instant) -> Entry? {
        guard let first = entries.first, first.deadline < now else { return nil }
        let last = entries.removeLast()
        guard !entries.isEmpty else { return first }
        entries[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count && entries[left].deadline < entries[smallest].deadline { smallest = left }
            if right < entries.count && entries[right].deadline < entries[smallest].deadline { smallest = right }
            if smallest == parent { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
