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
    @Option var `repeat` = 11

    struct Report: Codable {
        var size: String
        /// Every planning call's wall time and CPU time (this thread), seconds.
        var seconds: [Double]
        var cpuSeconds: [Double]
        var median: Double
        var medianCPU: Double
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
        var cpuSeconds: [Double] = []
        var actions = 0
        for _ in 0..<max(1, `repeat`) {
            // A fresh copy of the running state, held by this caller alone as the engine holds it
            // (copied here, untimed, rather than on the policy's first change).
            var runtime = world.running
            runtime.resources.reserveCapacity(runtime.resources.count)
            runtime.assemblies.reserveCapacity(runtime.assemblies.count)
            let cpuStart = Self.threadCPUSeconds()
            let start = MeasuredProcess.monotonicSeconds()
            let plan = world.policy.handle(inputs, &runtime, now: world.now + 30)
            seconds.append(MeasuredProcess.monotonicSeconds() - start)
            cpuSeconds.append(Self.threadCPUSeconds() - cpuStart)
            try world.check(plan)
            actions = plan.count
        }
        let report = Report(
            size: size.description, seconds: seconds, cpuSeconds: cpuSeconds, median: Self.median(seconds),
            medianCPU: Self.median(cpuSeconds), actions: actions, startKiB: startKiB, peakKiB: Self.status("VmHWM"))
        print(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
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
