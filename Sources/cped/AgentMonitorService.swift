import PCloudAgentMonitor
import ServiceLifecycle

/// The agent monitor's work (the agents' messages, the broker connection, the heartbeat
/// deadlines) as a service of cped's ServiceGroup: it starts with the group and, on SIGTERM,
/// closes the broker connection once the engines have stopped (it is listed before them, and the
/// group stops services in reverse order).
struct AgentMonitorService: Service {
    let monitor: AgentMonitor

    func run() async throws {
        await cancelWhenGracefulShutdown { await monitor.run() }
    }
}
