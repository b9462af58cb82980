import ArgumentParser
import Foundation

/// `pcloud-bench policy`: the time and peak memory of one planning call after F monitors failed
/// together, for each size, next to Pacemaker's scheduler on the equivalent CIB.
struct PolicyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Time the policy engine's plan after F failed monitors, beside Pacemaker's crm_simulate.")

    @Option(help: "Sizes as A/R/F (assemblies/resources/failed monitors), comma separated.")
    var sizes = BenchSizes(BenchSize.standard)
    @Option(help: "Planning calls per size (the median is reported).")
    var `repeat` = 11
    @Option(help: "Seconds before crm_simulate is given up on, per size.")
    var timeout: Double = 300
    @Flag(help: "Do not run Pacemaker's scheduler.")
    var noPacemaker = false
    @Option(help: "The CIB generator (default: scripts/bench/cib_gen.py of this checkout).")
    var cibGen: String?

    /// The targets at the largest standard size.
    static let targetSize = BenchSize(assemblies: 1000, resources: 10000, failed: 500)
    static let targetSeconds = 0.050
    static let targetKiB = 50 * 1024

    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pcloud-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let generator = cibGen ?? PacemakerScheduler.findGenerator()
        let pacemaker = PacemakerScheduler(generator: generator ?? "", directory: directory, timeout: timeout)
        var table = Table(
            [
                "size A/R/F", "pcloud wall", "pcloud CPU", "pcloud peak", "Pacemaker wall", "Pacemaker CPU",
                "Pacemaker peak", "ratio (CPU)", "target",
            ], rightAligned: Set(1...7))
        var measured: [(BenchSize, PolicyOne.Report)] = []
        for size in sizes.sizes {
            FileHandle.standardError.write(Data("measuring \(size)\n".utf8))
            let ours = try measure(size, in: directory)
            measured.append((size, ours))
            var row = [
                size.description, Format.duration(ours.median), Format.duration(ours.medianCPU),
                Format.megabytes(fromKiB: ours.peakKiB),
            ]
            let outcome: PacemakerScheduler.Outcome =
                noPacemaker
                ? .skipped("not run (--no-pacemaker)")
                : generator == nil ? .failed("cib_gen.py not found (--cib-gen PATH)") : pacemaker.run(size)
            switch outcome {
            case .measured(let theirs):
                row += [
                    Format.duration(theirs.seconds), Format.duration(theirs.cpuSeconds),
                    Format.megabytes(fromKiB: theirs.maxRSSKiB), Format.fixed(theirs.cpuSeconds / ours.medianCPU, 0) + "x",
                ]
            case .timedOut(let theirs):
                row += [
                    "> " + Format.duration(theirs.seconds) + " (killed)", "> " + Format.duration(theirs.cpuSeconds),
                    "> " + Format.megabytes(fromKiB: theirs.maxRSSKiB),
                    "> " + Format.fixed(theirs.cpuSeconds / ours.medianCPU, 0) + "x",
                ]
            case .failed(let why), .skipped(let why):
                row += [why, "", "", ""]
            }
            table.add(row + [target(size, ours)])
        }
        print(table.render())
        print(growth(measured.map { ($0.0, $0.1.median) }, "wall"))
        print(growth(measured.map { ($0.0, $0.1.medianCPU) }, "CPU"))
        print(
            "pcloud: median of \(max(1, `repeat`)) planning calls, each on a fresh copy of the running state"
                + " held alone (as the engine holds it);"
                + " peak = the whole child process's peak RSS (it starts at about "
                + Format.megabytes(fromKiB: measured.first?.1.startKiB ?? 0) + ").")
        print(
            "Pacemaker: crm_simulate -x cib.xml -G graph.xml -Q on cib_gen.py's equivalent CIB;"
                + " wall, CPU and peak RSS of that process.")
    }

    func target(_ size: BenchSize, _ ours: PolicyOne.Report) -> String {
        guard size == Self.targetSize else { return "-" }
        let fast = ours.median < Self.targetSeconds
        let small = ours.peakKiB < Self.targetKiB
        return (fast && small ? "met" : "MISSED") + " (< 50 ms, < 50 MB)"
    }

    /// Time ratio between consecutive sizes against the resource-count ratio: the exponent k in
    /// time ~ size^k (1.00 is linear).
    func growth(_ measured: [(BenchSize, Double)], _ what: String) -> String {
        guard measured.count > 1 else { return "growth (\(what)): needs two sizes" }
        let steps = zip(measured, measured.dropFirst()).map { small, large in
            let sizeRatio = Double(large.0.resources) / Double(small.0.resources)
            let timeRatio = large.1 / small.1
            return "\(small.0) -> \(large.0): size x\(Format.fixed(sizeRatio, 1)), time x\(Format.fixed(timeRatio, 1))"
                + " (exponent \(Format.fixed(log(timeRatio) / log(sizeRatio), 2)))"
        }
        return "growth (\(what), 1.00 is linear): " + steps.joined(separator: "; ")
    }

    /// Runs `policy-one` for `size` in a child process of this binary and reads its report.
    func measure(_ size: BenchSize, in directory: String) throws -> PolicyOne.Report {
        let output = "\(directory)/policy-\(size.assemblies).json"
        let error = "\(directory)/policy-\(size.assemblies).err"
        let result = try MeasuredProcess.run(
            Self.executablePath(), ["policy-one", size.description, "--repeat", "\(`repeat`)"], outputPath: output,
            errorPath: error, timeout: 600)
        guard result.exitStatus == 0, let data = FileManager.default.contents(atPath: output) else {
            let why = (try? String(contentsOfFile: error, encoding: .utf8)) ?? ""
            throw ValidationError("policy-one \(size) failed: \(why)")
        }
        var report = try JSONDecoder().decode(PolicyOne.Report.self, from: data)
        report.peakKiB = max(report.peakKiB, result.maxRSSKiB)
        return report
    }

    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
