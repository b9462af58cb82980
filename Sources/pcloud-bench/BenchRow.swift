/// One line of `pcloud-bench all`'s table: pcloud's figure beside the reference's, both measured in
/// the same run, their ratio and the target it is held to.
struct BenchRow: Sendable, Equatable {
    var benchmark: String
    var pcloud: String
    /// The reference's figure and what it is (`92.2 ms (ssh fork per check)`), or "-" for none.
    var reference: String = "-"
    var ratio: String = "-"
    var target: String = "-"
    /// Whether the target was met; nil when the row has no target.
    var met: Bool? = nil
}

/// A benchmark that `pcloud-bench all` runs: it measures with the options it is given (the
/// subcommand's own, parsed as on the command line), may print its detailed report, and returns its
/// rows of the `all` table. A new benchmark conforms and is listed in `AllBench.benchmarks`.
protocol SummarisedBenchmark {
    static func summarise(arguments: [String]) async throws -> [BenchRow]
}

enum BenchSummary {
    static let headers = ["benchmark", "pcloud", "reference (same run)", "ratio", "target", "met?"]

    static func render(_ rows: [BenchRow]) -> String {
        var table = Table(headers, rightAligned: [3])
        for row in rows {
            table.add([
                row.benchmark, row.pcloud, row.reference, row.ratio, row.target,
                row.met.map { $0 ? "yes" : "NO" } ?? "-",
            ])
        }
        return table.render()
    }

    /// `504x` for how many times less `ours` is than `theirs` (both costs, same unit).
    static func ratio(_ theirs: Double, _ ours: Double) -> String {
        guard ours > 0, theirs.isFinite else { return "-" }
        let value = theirs / ours
        return Format.fixed(value, value < 10 ? 1 : 0) + "x"
    }
}
