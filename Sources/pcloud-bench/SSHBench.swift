import ArgumentParser
import Foundation
import PCloudTestSupport

/// `pcloud-bench ssh`: N guests (sessions to real sshd in network namespaces made here) watched
/// every S seconds through the real SSHMonitor; the controller's cores, CPU per probe and RSS;
/// detection latency of killed sshd; and the same check by forking `ssh` and over ControlMaster.
struct SSHBench: AsyncParsableCommand, SummarisedBenchmark {
    static let configuration = CommandConfiguration(
        commandName: "ssh",
        abstract: "Watch N namespaced sshd guests every S seconds; compare with forking ssh and ControlMaster.")

    @Option(help: "Guests: persistent sessions, each its own connection to one of the sshd.")
    var guests = 1000
    @Option(help: "Seconds between a guest's liveness checks (as the engine's monitor interval).")
    var interval = 5.0
    @Option(help: "Liveness check timeout, seconds.")
    var timeout = 5.0
    @Option(help: "Seconds of the steady window in which CPU is measured.")
    var duration = 30.0
    @Option(help: "Network namespaces to make (each a veth pair and a 10.213.X.0/30 subnet).")
    var namespaces = 4
    @Option(help: "sshd per namespace serving the guests.")
    var daemons = 2
    @Option(help: "Extra sshd killed one by one to inject failures (connection closed, then refused).")
    var victims = 10
    @Option(help: "Guests served by each killed sshd (detection samples = victims x this).")
    var guestsPerVictim = 10
    @Option(help: "Persistent sessions for the three-way comparison.")
    var compareSessions = 50
    @Option(help: "Rounds of checks over those sessions.")
    var rounds = 10
    @Option(help: "Checks by forked ssh (and over ControlMaster).")
    var forkChecks = 100
    @Option(help: "Concurrent forked ssh.")
    var workers = 8

    struct Measured {
        var load: SSHWatchLoad.Result
        var comparison: [SSHComparison.Row]
        var guestsPerDaemon: Int
    }

    func validate() throws {
        guard guests > victims * guestsPerVictim, interval > 0, timeout > 0, duration > 0, namespaces > 0, daemons > 0
        else { throw ValidationError("need guests > victims x guests-per-victim and positive times and counts") }
        guard namespaces <= 64 else { throw ValidationError("at most 64 namespaces") }
    }

    func run() async throws {
        let measured = try await measure()
        print(SSHReport.render(measured, self))
    }

    static func summarise(arguments: [String]) async throws -> [BenchRow] {
        let bench = try parse(arguments)
        let measured = try await bench.measure()
        print(SSHReport.render(measured, bench))
        return SSHReport.rows(measured, bench)
    }

    func measure() async throws -> Measured {
        if let missing = SSHDaemon.missing { throw ValidationError("cannot run: \(missing)") }
        Self.raiseDescriptorLimit()
        defer { BenchCleanup.runAll() }  // also what a setup that threw half way had made
        progress("making \(namespaces) namespaces, \(namespaces * daemons + victims) sshd")
        let fleet = try SSHGuestFleet(
            guests: guests, namespaces: namespaces, daemonsPerNamespace: daemons, victims: victims,
            guestsPerVictim: guestsPerVictim)
        defer { fleet.stop() }
        let load = try await SSHWatchLoad(
            fleet: fleet, interval: .seconds(interval), timeout: .seconds(timeout), duration: .seconds(duration)
        ).run()
        let comparison = try await SSHComparison(
            fleet: fleet, sessions: compareSessions, rounds: rounds, forkChecks: forkChecks, workers: workers
        ).run()
        let bulkGuests = guests - victims * guestsPerVictim
        return Measured(
            load: load, comparison: comparison, guestsPerDaemon: bulkGuests / (namespaces * daemons))
    }

    /// One socket per guest: lift the soft descriptor limit (often 1024) to the hard one.
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
