import ArgumentParser
import Foundation

/// `pcloud-bench amqp`: N simulated agents heartbeat through a private RabbitMQ to the real
/// AgentMonitor in this process; prints controller, broker and load-generator CPU and memory,
/// and how fast K stopped agents were judged unreachable, beside the targets.
struct AMQPBench: AsyncParsableCommand, SummarisedBenchmark {
    static let configuration = CommandConfiguration(
        commandName: "amqp",
        abstract: "Heartbeats of N simulated agents through RabbitMQ to the AgentMonitor: CPU, memory, detection latency.")

    @Option(help: "Agent counts, comma separated (one private broker per count).")
    var agents = AgentCounts([10_000])
    @Option(help: "Heartbeat interval, seconds.")
    var interval: Double = 1
    @Option(help: "Seconds of the measured window (after the warm-up).")
    var duration: Double = 20
    @Option(help: "Agents stopped during the window (each at a random phase within one interval).")
    var stop = 100
    @Option(help: "Load-generator processes (default: one per 5000 agents, 1 to 4).")
    var generators: Int?
    @Flag(help: "Print the results as JSON instead of a table.")
    var json = false

    func validate() throws {
        guard interval >= 0.1 else { throw ValidationError("--interval must be at least 0.1 s") }
        guard duration >= 1 + 5 * interval else {
            throw ValidationError("--duration must cover the stops and their detection: at least 1 + 5 intervals")
        }
        guard (generators ?? 1) >= 1 else { throw ValidationError("--generators must be at least 1") }
    }

    func measure() async throws -> [AMQPMeasurement.Result] {
        var results: [AMQPMeasurement.Result] = []
        for count in agents.counts {
            let measurement = AMQPMeasurement(
                agents: count, interval: interval, window: duration, stop: min(stop, count),
                generators: generators ?? Self.defaultGenerators(count))
            progress("amqp: measuring \(count) agents")
            results.append(try await measurement.run { progress("amqp: \($0)") })
        }
        return results
    }

    func run() async throws {
        let results = try await measure()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
            return
        }
        report(results)
    }

    func report(_ results: [AMQPMeasurement.Result]) {
        print(Self.table(results).render())
        for result in results {
            print(
                "\(result.agents) agents: \(result.sent) heartbeats sent (\(result.failed) failed, generator lag up to "
                    + "\(Format.duration(result.maxLateness))), \(result.backlog) queued in the broker at the window's end, "
                    + "\(result.fromStop.count + result.undetected) stopped, load average "
                    + "\(Format.fixed(result.loadAverage, 1)) on \(ProcessInfo.processInfo.activeProcessorCount) cores.")
        }
        print(
            "controller = this process (the real AgentMonitor: one AMQP connection, JSON decoding, the ledger);"
                + " CPU in cores = CPU seconds / wall seconds over the \(Format.fixed(duration, 0)) s window;"
                + " broker = RabbitMQ's beam.smp; load = the generator processes."
                + " Detection = stop instant (or last heartbeat) -> unreachable verdict.")
    }

    /// Detection latencies in milliseconds: the target is a few tens of ms above 3 intervals.
    static func latency(_ seconds: Double) -> String { Format.fixed(seconds * 1000, 0) + " ms" }

    /// One load-generator process per 5000 agents, 1 to 4.
    static func defaultGenerators(_ agents: Int) -> Int { min(4, max(1, (agents + 4999) / 5000)) }

    static func table(_ results: [AMQPMeasurement.Result]) -> Table {
        var table = Table(
            [
                "agents", "heard", "controller CPU", "controller RSS", "broker CPU", "broker RSS", "load CPU",
                "detect p50", "detect p99", "p99 from last beat", "undetected/false", "target",
            ], rightAligned: Set(0...9))
        for result in results {
            table.add([
                "\(result.agents)", "\(result.seen)", Format.fixed(result.controllerCores, 2) + " cores",
                Format.megabytes(fromKiB: result.controllerRSSKiB), Format.fixed(result.brokerCores, 2) + " cores",
                Format.megabytes(fromKiB: result.brokerRSSKiB),
                Format.fixed(result.generatorCores, 2) + " cores (\(result.generators))",
                result.fromStop.isEmpty ? "-" : Self.latency(Percentile.of(result.fromStop, 0.50)!),
                result.fromStop.isEmpty ? "-" : Self.latency(Percentile.of(result.fromStop, 0.99)!),
                result.fromLastHeartbeat.isEmpty ? "-" : Self.latency(Percentile.of(result.fromLastHeartbeat, 0.99)!),
                "\(result.undetected)/\(result.falseVerdicts)", verdict(result),
            ])
        }
        return table
    }

    /// "met" when the controller stayed under one core, p99 detection was within 3 intervals +
    /// 100 ms, every agent was heard, every stopped agent detected and no other judged unreachable.
    static func verdict(_ result: AMQPMeasurement.Result) -> String {
        let limit = 3 * result.interval + 0.1
        return (rows(result).allSatisfy { $0.met != false } ? "met" : "MISSED")
            + " (< 1 core, p99 <= \(Format.duration(limit)), all heard, 0 false)"
    }
}

/// `--agents 1000,10000`.
struct AgentCounts: ExpressibleByArgument {
    var counts: [Int]

    init?(argument: String) {
        let counts = argument.split(separator: ",").map { Int($0) }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        self.counts = counts.compactMap { $0 }
    }

    init(_ counts: [Int]) { self.counts = counts }
}
