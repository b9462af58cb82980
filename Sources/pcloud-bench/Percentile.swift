/// Nearest-rank percentiles of measured values (latencies): the smallest value with at least
/// `p` of all values at or below it.
enum Percentile {
    static func of(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
