import ArgumentParser
import Foundation
import PCloudPolicy

/// One size in a process of its own, so that its peak memory is its own: builds the world, times
/// the planning call `repeat` times on fresh copies of the running state and prints one JSON line.
struct PolicyOne: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy-one", abstract: "Measure one size (run by `policy` in a child process).",
        shouldDisplay: false)

    @Argument var size: BenchSize
    @Option var `repeat` = 5

    struct Report: Codable {
        var size: String
        /// Every planning time, seconds.
        var seconds: [Double]
        var median: Double
        var actions: Int
        /// Resident memory when the process started and its peak (VmHWM), KiB.
        var startKiB: Int
        var peakKiB: Int
    }

    func run() throws {
        let startKiB = Self.status("VmRSS")
        let world = try PolicyWorld(size)
        let inputs = world.failedMonitors
        var seconds: [Double] = []
        var actions = 0
        for _ in 0..<max(1, `repeat`) {
            var runtime = world.running  // a fresh copy: the policy copies on its first change
            let clock = ContinuousClock()
            var plan: [PlannedAction] = []
            let elapsed = clock.measure { plan = world.policy.handle(inputs, &runtime, now: world.now + 30) }
            try world.check(plan)
            actions = plan.count
            seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let sorted = seconds.sorted()
        let report = Report(
            size: size.description, seconds: seconds, median: sorted[sorted.count / 2], actions: actions,
            startKiB: startKiB, peakKiB: Self.status("VmHWM"))
        print(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
    }

    /// A `kB` field of /proc/self/status (0 where there is none).
    static func status(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}
