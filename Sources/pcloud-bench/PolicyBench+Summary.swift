import Foundation

/// The policy benchmark's rows of `pcloud-bench all`: per size, pcloud's plan beside
/// crm_simulate's on the equivalent CIB, measured in the same run (when crm_simulate is installed).
extension PolicyBench: SummarisedBenchmark {
    static func summarise(arguments: [String]) async throws -> [BenchRow] {
        let bench = try parse(arguments)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pcloud-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let generator = bench.cibGen ?? PacemakerScheduler.findGenerator()
        let pacemaker = PacemakerScheduler(generator: generator ?? "", directory: directory, timeout: bench.timeout)
        var rows: [BenchRow] = []
        for size in bench.sizes.sizes {
            progress("policy: measuring \(size)")
            let ours = try bench.measure(size, in: directory)
            let outcome: PacemakerScheduler.Outcome =
                bench.noPacemaker
                ? .skipped("not run (--no-pacemaker)")
                : generator == nil ? .failed("cib_gen.py not found") : pacemaker.run(size)
            rows += Self.rows(size, ours, outcome)
        }
        return rows
    }

    static func rows(_ size: BenchSize, _ ours: PolicyOne.Report, _ outcome: PacemakerScheduler.Outcome) -> [BenchRow] {
        let scope = size == targetSize ? "" : " (set for \(targetSize))"
        var time = BenchRow(
            benchmark: "policy: plan after F failures, \(size), CPU", pcloud: Format.duration(ours.medianCPU),
            target: "< 50 ms wall" + scope, met: ours.median < targetSeconds)
        var memory = BenchRow(
            benchmark: "policy: peak memory, \(size)", pcloud: Format.megabytes(fromKiB: ours.peakKiB),
            target: "< 50 MB" + scope, met: ours.peakKiB < targetKiB)
        switch outcome {
        case .measured(let theirs):
            time.reference = Format.duration(theirs.cpuSeconds) + " (crm_simulate)"
            time.ratio = BenchSummary.ratio(theirs.cpuSeconds, ours.medianCPU)
            memory.reference = Format.megabytes(fromKiB: theirs.maxRSSKiB) + " (crm_simulate)"
            memory.ratio = BenchSummary.ratio(Double(theirs.maxRSSKiB), Double(ours.peakKiB))
        case .timedOut(let theirs):
            time.reference = "> " + Format.duration(theirs.cpuSeconds) + " (crm_simulate, killed)"
            time.ratio = "> " + BenchSummary.ratio(theirs.cpuSeconds, ours.medianCPU)
        case .failed(let why), .skipped(let why):
            time.reference = "crm_simulate: " + why
        }
        return [time, memory]
    }
}
