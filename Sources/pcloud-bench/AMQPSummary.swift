/// One line of a benchmark summary (what `pcloud-bench all` prints for each component).
struct AMQPSummaryRow: Sendable, Equatable {
    var name: String
    var pcloud: String
    /// The original's figure where one exists (Pacemaker Cloud had no comparable agent benchmark).
    var reference: String?
    var target: String
    var met: Bool
}

extension AMQPBench {
    /// Measures `agents` agents with the defaults of `pcloud-bench amqp` (1 s heartbeats, a 20 s
    /// window, 100 stopped) and returns the summary rows: what `pcloud-bench all` calls.
    static func summary(
        agents: Int = 10_000, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) throws
        -> [AMQPSummaryRow]
    {
        let measurement = AMQPMeasurement(
            agents: agents, interval: 1, window: 20, stop: min(100, agents), generators: defaultGenerators(agents))
        return summarise(try runBlocking { try await measurement.run(progress: progress) })
    }

    /// The rows for one AMQP measurement.
    static func summarise(_ result: AMQPMeasurement.Result) -> [AMQPSummaryRow] {
        let limit = 3 * result.interval + 0.1
        let p99 = percentile(result.fromStop, 0.99)
        return [
            AMQPSummaryRow(
                name: "AMQP controller CPU, \(result.agents) agents",
                pcloud: Format.fixed(result.controllerCores, 2) + " cores, "
                    + Format.megabytes(fromKiB: result.controllerRSSKiB),
                reference: nil, target: "< 1 core", met: result.controllerCores < 1),
            AMQPSummaryRow(
                name: "AMQP detection p99 of \(result.fromStop.count + result.undetected) stopped agents",
                pcloud: result.fromStop.isEmpty ? "none detected" : latency(p99),
                reference: nil, target: "<= 3 intervals + 100 ms (\(Format.duration(limit)))",
                met: result.undetected == 0 && !result.fromStop.isEmpty && p99 <= limit),
            AMQPSummaryRow(
                name: "AMQP agents heard / false verdicts",
                pcloud: "\(result.seen) of \(result.agents) / \(result.falseVerdicts)",
                reference: nil, target: "all / 0", met: result.seen == result.agents && result.falseVerdicts == 0),
        ]
    }
}
