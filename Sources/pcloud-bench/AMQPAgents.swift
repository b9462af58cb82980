import ArgumentParser
import Foundation
import PCloudAMQP

/// `pcloud-bench amqp-agents` (internal): one load-generator process of `pcloud-bench amqp`. It
/// simulates thousands of pcloud-agents of one deployable over ONE broker connection: each agent
/// has its own assembly name, boot id and sequence numbers, a random phase within the interval,
/// and heartbeats exactly as pcloud-agent sends them (same codec, address, subject and user-id).
/// Chosen agents stop at known instants; what each stopped agent last sent goes to the report.
struct AMQPAgents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amqp-agents", abstract: "Simulated pcloud-agents (started by `pcloud-bench amqp`).",
        shouldDisplay: false)

    @Option var port: Int
    @Option var deployable: String
    @Option var agents: Int
    @Option var interval: Double = 1
    /// CLOCK_MONOTONIC second at which the first round starts (shared with the parent).
    @Option var epoch: Double
    /// Seconds after `epoch` when this process exits.
    @Option var duration: Double
    /// Seconds after `epoch` from which the stopped agents stop (each at a random phase within one interval).
    @Option var stopAfter: Double
    @Option var stop: Int = 0
    @Option var seed: UInt64 = 1
    @Option var report: String

    /// The password of `pcloud-DEPLOYABLE` comes through the environment, not the command line.
    static let passwordVariable = "PCLOUD_BENCH_AGENT_PASSWORD"

    struct Report: Codable, Sendable {
        struct Stopped: Codable, Sendable {
            var deployable: String
            var assembly: String
            /// The instant the agent stopped (CLOCK_MONOTONIC seconds).
            var stoppedAt: Double
            /// When its last heartbeat was handed to the client.
            var lastSent: Double
        }
        var sent = 0
        var failed = 0
        /// The largest delay between a heartbeat's due time and its send: the generator kept up if small.
        var maxLateness = 0.0
        var stopped: [Stopped] = []
    }

    func run() async throws {
        let password = ProcessInfo.processInfo.environment[Self.passwordVariable] ?? ""
        let user = "pcloud-\(deployable)"
        let endpoint = AMQPEndpoint(
            host: "127.0.0.1", port: port, user: user, password: password, containerID: "pcloud-bench-agents:\(deployable)")
        let simulation = SimulatedAgents(
            deployable: deployable, count: agents, interval: interval, stop: stop, stopAfter: stopAfter, seed: seed)
        let client = AMQPClient(endpoint: endpoint) { FileHandle.standardError.write(Data("amqp: \($0)\n".utf8)) }
        let result = await simulation.run(client: client, user: user, epoch: epoch, until: epoch + duration)
        await client.shutdown()
        try JSONEncoder().encode(result).write(to: URL(fileURLWithPath: report))
    }
}

/// The simulated agents of one generator process and their heartbeat schedule.
struct SimulatedAgents: Sendable {
    let deployable: String
    let names: [String]
    let bootIDs: [String]
    /// Offset of each agent's heartbeats within the interval.
    let phases: [Double]
    /// Seconds after the epoch at which an agent stops (infinity: never).
    let stopsAt: [Double]
    let interval: Double

    init(deployable: String, count: Int, interval: Double, stop: Int, stopAfter: Double, seed: UInt64) {
        var random = SplitMix(seed: seed)
        self.deployable = deployable
        self.interval = interval
        names = (0..<count).map { "a\($0)" }
        bootIDs = (0..<count).map { _ in UUID().uuidString.lowercased() }
        phases = (0..<count).map { _ in random.unit() * interval }
        var stops = [Double](repeating: .infinity, count: count)
        let stopped = min(stop, count)
        for k in 0..<stopped { stops[k * count / stopped] = stopAfter + random.unit() * interval }
        stopsAt = stops
    }

    /// Sends every agent's heartbeats on schedule until `until`; returns what happened.
    func run(client: AMQPClient, user: String, epoch: Double, until: Double) async -> AMQPAgents.Report {
        let order = phases.indices.sorted { phases[$0] < phases[$1] }
        var seq = [UInt64](repeating: 0, count: names.count)
        var lastSent = [Double](repeating: 0, count: names.count)
        var report = AMQPAgents.Report()
        var round = 0
        var reported = 0
        var cursor = 0
        func due(_ agent: Int) -> Double { epoch + Double(round) * interval + phases[agent] }
        while MeasuredProcess.monotonicSeconds() < until, !order.isEmpty {
            let now = MeasuredProcess.monotonicSeconds()
            var batch: [(Int, AMQPMessage, String)] = []
            while due(order[cursor]) <= now {
                let agent = order[cursor]
                let at = due(agent)
                if at - epoch < stopsAt[agent] {
                    seq[agent] += 1
                    batch.append((agent, heartbeat(agent, seq: seq[agent], at: at - epoch, user: user), address(agent)))
                    lastSent[agent] = now
                    report.maxLateness = max(report.maxLateness, now - at)
                } else if seq[agent] > 0 && lastSent[agent] > 0 {
                    report.stopped.append(
                        .init(
                            deployable: deployable, assembly: names[agent], stoppedAt: epoch + stopsAt[agent],
                            lastSent: lastSent[agent]))
                    lastSent[agent] = -1
                }
                cursor += 1
                if cursor == order.count {
                    cursor = 0
                    round += 1
                }
            }
            let failures = await withTaskGroup(of: Int.self) { group in
                for (_, message, address) in batch {
                    group.addTask {
                        do {
                            try await client.send(message, to: address)
                            return 0
                        } catch {
                            return 1
                        }
                    }
                }
                return await group.reduce(0, +)
            }
            report.sent += batch.count - failures
            report.failed += failures
            if round > reported {
                reported = round
                let line = "round \(round): sent \(report.sent), failed \(report.failed), max lateness \(report.maxLateness) s\n"
                FileHandle.standardError.write(Data(line.utf8))
            }
            let wait = min(due(order[cursor]) - MeasuredProcess.monotonicSeconds(), 0.005)
            if wait > 0 { try? await Task.sleep(for: .microseconds(Int64(wait * 1e6))) }
        }
        return report
    }

    /// Exactly what pcloud-agent sends: the codec's heartbeat, signed with the broker user.
    private func heartbeat(_ agent: Int, seq: UInt64, at elapsed: Double, user: String) -> AMQPMessage {
        let beat = Heartbeat(
            seq: seq, bootID: bootIDs[agent], uptime: 600 + phases[agent] + elapsed, assembly: names[agent],
            deployable: deployable)
        var message = AgentCodec.encode(.heartbeat(beat))
        message.userID = user
        return message
    }

    private func address(_ agent: Int) -> String {
        AgentAddresses.heartbeat(deployable: deployable, assembly: names[agent])
    }
}

/// A small seeded generator, so a run's phases and stop instants can be repeated.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
}
