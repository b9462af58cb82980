import Foundation
import PCloudAMQP
import PCloudAgentMonitor
import PCloudModel
import PCloudTestSupport

/// Everything a monitor observed, collected in the background so tests can wait with a timeout.
final class ObservationLog: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [Observation] = []
    private var consumed = 0
    private var task: Task<Void, Never>?

    init(_ stream: AsyncStream<Observation>) {
        task = Task { [weak self] in
            for await observation in stream {
                guard let self else { return }
                trace("observed \(observation)")
                self.lock.withLock { self.seen.append(observation) }
            }
        }
    }

    deinit { task?.cancel() }

    /// Everything observed so far.
    func all() async throws -> [Observation] {
        lock.withLock { seen }
    }

    /// The next observation (after those already returned) matching `matches`, or a failure
    /// naming `what` with the agent's log.
    func next(
        _ what: String, _ agent: AgentProcess, timeout: Duration = .seconds(20), _ matches: (Observation) -> Bool
    ) async throws -> Observation {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let found: Observation? = lock.withLock {
                while consumed < seen.count {
                    let observation = seen[consumed]
                    consumed += 1
                    if matches(observation) { return observation }
                }
                return nil
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw AMQPError("no observation '\(what)' within \(timeout); agent log:\n\(agent.log.suffix(2000))")
    }
}

func waitFor(seconds: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}

final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    func append(_ line: String) {
        trace(line)
        lock.withLock { stored.append(line) }
    }
}

extension Observation {
    var uptime: Duration {
        if case .liveness(_, .alive(let uptime, _)) = self { return uptime }
        return .zero
    }

    var resourceCode: OCFExitCode? {
        if case .resource(_, _, let result) = self { return result.code }
        return nil
    }
}

/// The usual world of the agent tests: a private broker with deployable demo's guest user, the
/// controller's AgentMonitor (its log kept) and one real pcloud-agent for demo/web.
func demoAgentWorld(
    bootID: String
) throws -> (
    broker: BrokerProcess, log: LogLines, monitor: AgentMonitor, observations: ObservationLog, agent: AgentProcess
) {
    let broker = try BrokerProcess()
    try broker.addDeployableUser("demo", password: "demo-secret")
    let log = LogLines()
    let monitor = AgentMonitor(endpoint: controllerEndpoint(broker), log: log.append)
    _ = Task { await monitor.run() }  // until shutdown()
    let observations = ObservationLog(monitor.observations())
    let agent = try AgentProcess(
        broker: broker, deployable: "demo", assembly: "web", password: "demo-secret", bootID: bootID)
    return (broker, log, monitor, observations, agent)
}
