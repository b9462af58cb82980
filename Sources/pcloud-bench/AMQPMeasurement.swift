import Foundation
import PCloudAMQP
import PCloudAgentMonitor
import PCloudModel
import PCloudTestSupport

/// One `pcloud-bench amqp` run at one size: a private RabbitMQ, the real AgentMonitor in this
/// process, N simulated agents in a few generator processes, CPU and memory over a window in
/// which K agents stop, and the detection latency of each stopped agent.
struct AMQPMeasurement: Sendable {
    var agents: Int
    var interval: Double
    /// Seconds of the measured window (after a warm-up in which every agent is heard).
    var window: Double
    var stop: Int
    var generators: Int

    struct Result: Codable, Sendable {
        var agents: Int
        var interval: Double
        var generators: Int
        var windowSeconds: Double
        /// Distinct agents the monitor heard alive.
        var seen: Int
        var controllerCores: Double
        var controllerRSSKiB: Int
        var controllerPeakKiB: Int
        var brokerCores: Double
        var brokerRSSKiB: Int
        var generatorCores: Double
        var sent: Int
        var failed: Int
        var maxLateness: Double
        /// Seconds from each stop instant to the unreachable verdict.
        var fromStop: [Double]
        /// Seconds from each stopped agent's last heartbeat to the verdict.
        var fromLastHeartbeat: [Double]
        /// Stopped agents without a verdict inside the window.
        var undetected: Int
        /// Unreachable verdicts for agents that never stopped.
        var falseVerdicts: Int
        var brokerStartSeconds: Double
        /// Messages queued in the broker at the end of the window.
        var backlog: Int
        /// /proc/loadavg (1 minute) at the end of the window: other work on this machine.
        var loadAverage: Double
    }

    static let password = "bench-agent-secret"

    func run(progress: @escaping @Sendable (String) -> Void) async throws -> Result {
        let broker = try BrokerProcess()
        // Interrupted (SIGINT/SIGTERM): stop the broker we started and remove its directory.
        let brokerCleanup = BenchCleanup.register {
            broker.stop()
            try? FileManager.default.removeItem(at: broker.directory)
        }
        defer {
            broker.stop()
            BenchCleanup.remove(brokerCleanup)
        }
        progress("broker up on port \(broker.port) in \(Format.fixed(broker.startupSeconds, 1)) s")
        let deployables = (0..<generators).map { "bench\($0)" }
        for deployable in deployables { try broker.addDeployableUser(deployable, password: Self.password) }
        guard let beam = ProcessSample.find(name: "beam.smp", descendantOf: getpid()).first else {
            throw MeasurementError("cannot find the broker's beam.smp process")
        }
        let settings = AgentSettings(heartbeat: .milliseconds(Int64(interval * 1000)), missedHeartbeats: 3)
        let monitor = AgentMonitor(
            endpoint: AMQPEndpoint(
                host: "127.0.0.1", port: Int(broker.port), user: "pcloud", password: broker.controllerPassword,
                containerID: "pcloud-bench-controller"),
            defaults: settings, log: { progress("monitor: \($0)") })
        _ = Task { await monitor.run() }  // until monitor.shutdown()
        let recorder = VerdictRecorder(monitor.observations())
        let shares = (0..<generators).map { agents / generators + ($0 < agents % generators ? 1 : 0) }
        for (deployable, share) in zip(deployables, shares) {
            for index in 0..<share {
                await monitor.watch(GuestName(deployable: deployable, assembly: "a\(index)"), settings: settings)
            }
        }
        try await waitConnected(monitor)

        // Timeline (CLOCK_MONOTONIC): generators start their first round at `epoch`; every agent
        // is heard within `warmup`; the window follows; agents stop 1 s into it.
        let warmup = max(3, 3 * interval)
        let epoch = MeasuredProcess.monotonicSeconds() + 2
        let windowStart = epoch + warmup
        let windowEnd = windowStart + window
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pcloud-bench-amqp-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment[AMQPAgents.passwordVariable] = Self.password
        let stops = (0..<generators).map { stop / generators + ($0 < stop % generators ? 1 : 0) }
        var children: [ManagedProcess] = []
        for k in 0..<generators {
            children.append(
                try ManagedProcess(
                    "bench-agents-\(k)", executable: PolicyBench.executablePath(),
                    arguments: [
                        "amqp-agents", "--port", "\(broker.port)", "--deployable", deployables[k], "--agents", "\(shares[k])",
                        "--interval", "\(interval)", "--epoch", "\(epoch)", "--duration", "\(warmup + window + 0.5)",
                        "--stop-after", "\(warmup + 1)", "--stop", "\(stops[k])", "--seed", "\(k + 1)",
                        "--report", directory.appendingPathComponent("agents-\(k).json").path,
                    ], environment: environment))
        }
        let generatorProcesses = children
        let generatorCleanup = BenchCleanup.register {
            for child in generatorProcesses { child.stop(grace: 1) }
            try? FileManager.default.removeItem(at: directory)
        }
        defer {
            for child in children { child.stop() }
            BenchCleanup.remove(generatorCleanup)
        }
        progress("generator logs: \(children.map(\.logURL.path).joined(separator: " "))")
        try await sleep(until: windowStart)
        progress("warm-up over: \(recorder.aliveCount) of \(agents) agents heard")

        let controller = CPUWindow([getpid()])
        let brokerWindow = CPUWindow([beam])
        let generatorWindow = CPUWindow(children.map(\.pid))
        try await sleep(until: windowEnd)
        let ours = controller.end()
        let theirs = brokerWindow.end()
        let load = generatorWindow.end()
        let verdicts = recorder.verdicts(before: windowEnd)
        let seen = recorder.aliveCount
        let load1 = Self.loadAverage()
        let backlog = Self.queuedMessages(broker)
        progress("window over: \(backlog) messages queued in the broker; waiting for the generators to exit")

        var reports: [AMQPAgents.Report] = []
        for (k, child) in children.enumerated() {
            _ = waitUntil(timeout: 30) { !child.isRunning }
            let path = directory.appendingPathComponent("agents-\(k).json").path
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MeasurementError("generator \(k) wrote no report: \(child.logText().suffix(2000))")
            }
            reports.append(try JSONDecoder().decode(AMQPAgents.Report.self, from: data))
        }
        recorder.stop()
        await monitor.shutdown()

        let stopped = reports.flatMap(\.stopped)
        let stoppedNames = Set(stopped.map { GuestName(deployable: $0.deployable, assembly: $0.assembly) })
        var fromStop: [Double] = []
        var fromLast: [Double] = []
        for agent in stopped {
            guard let verdict = verdicts[GuestName(deployable: agent.deployable, assembly: agent.assembly)] else { continue }
            fromStop.append(verdict - agent.stoppedAt)
            fromLast.append(verdict - agent.lastSent)
        }
        return Result(
            agents: agents, interval: interval, generators: generators, windowSeconds: window, seen: seen,
            controllerCores: ours.cores, controllerRSSKiB: ours.rssKiB, controllerPeakKiB: ours.peakKiB,
            brokerCores: theirs.cores, brokerRSSKiB: theirs.rssKiB, generatorCores: load.cores,
            sent: reports.map(\.sent).reduce(0, +), failed: reports.map(\.failed).reduce(0, +),
            maxLateness: reports.map(\.maxLateness).max() ?? 0, fromStop: fromStop.sorted(),
            fromLastHeartbeat: fromLast.sorted(), undetected: stopped.count - fromStop.count,
            falseVerdicts: verdicts.keys.filter { !stoppedNames.contains($0) }.count,
            brokerStartSeconds: broker.startupSeconds, backlog: backlog, loadAverage: load1)
    }

    static func loadAverage() -> Double {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return Double(text.split(separator: " ").first ?? "") ?? 0
    }

    /// Messages waiting in the broker's queues (the controller's inbox): a backlog means the
    /// controller or the broker could not keep up.
    static func queuedMessages(_ broker: BrokerProcess) -> Int {
        guard let (status, output) = try? broker.rabbitmqctl(["-q", "list_queues", "messages"]), status == 0 else { return -1 }
        return output.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.reduce(0, +)
    }

    private func waitConnected(_ monitor: AgentMonitor) async throws {
        let deadline = MeasuredProcess.monotonicSeconds() + 30
        for await state in monitor.brokerStates() {
            if state == .connected { return }
            if MeasuredProcess.monotonicSeconds() > deadline { break }
        }
        throw MeasurementError("the AgentMonitor did not connect to the broker")
    }

    private func sleep(until instant: Double) async throws {
        let wait = instant - MeasuredProcess.monotonicSeconds()
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
    }
}

struct MeasurementError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
