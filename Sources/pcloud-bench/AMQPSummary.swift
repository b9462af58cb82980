/// The AMQP benchmark's rows of `pcloud-bench all`: controller CPU and memory, detection p99 of
/// the stopped agents, and whether every agent was heard with no false verdict. Pacemaker Cloud
/// had no comparable agent benchmark, so there is no reference column.
extension AMQPBench {
    static func summarise(arguments: [String]) async throws -> [BenchRow] {
        let bench = try parse(arguments)
        let results = try await bench.measure()
        bench.report(results)
        return results.flatMap(rows)
    }

    static func rows(_ result: AMQPMeasurement.Result) -> [BenchRow] {
        let limit = 3 * result.interval + 0.1
        let p99 = Percentile.of(result.fromStop, 0.99)
        return [
            BenchRow(
                benchmark: "amqp: controller CPU, \(result.agents) agents at \(Format.fixed(result.interval, 1)) s",
                pcloud: Format.fixed(result.controllerCores, 2) + " cores, " + Format.megabytes(fromKiB: result.controllerRSSKiB),
                target: "< 1 core", met: result.controllerCores < 1),
            BenchRow(
                benchmark: "amqp: detection p99, \(result.fromStop.count + result.undetected) stopped agents",
                pcloud: p99.map(latency) ?? "none detected",
                target: "<= 3 intervals + 100 ms (\(latency(limit)))",
                met: result.undetected == 0 && (p99 ?? .infinity) <= limit),
            BenchRow(
                benchmark: "amqp: agents heard / false verdicts",
                pcloud: "\(result.seen) of \(result.agents) / \(result.falseVerdicts)",
                target: "all / 0", met: result.seen == result.agents && result.falseVerdicts == 0),
        ]
    }
}
