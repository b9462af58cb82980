import Foundation

/// Pacemaker's scheduler on the equivalent CIB: `cib_gen.py A R F > cib.xml`, then
/// `crm_simulate -x cib.xml -G graph.xml -Q`, timed with its peak memory (wait4 of the child).
struct PacemakerScheduler {
    enum Outcome {
        case measured(MeasuredProcess.Result)
        case timedOut(MeasuredProcess.Result)
        case failed(String)
        case skipped(String)
    }

    var generator: String
    var directory: String
    var timeout: Double

    /// crm_simulate on PATH, or nil.
    static func installed() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/sbin", "/sbin"] {
            let candidate = "\(directory)/crm_simulate"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// scripts/bench/cib_gen.py of the checkout: from the working directory, or from the binary's
    /// place in .build/<config>/pcloud-bench.
    static func findGenerator() -> String? {
        let relative = "scripts/bench/cib_gen.py"
        var candidates = [FileManager.default.currentDirectoryPath + "/" + relative]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent(relative).path)
            directory = directory.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    func run(_ size: BenchSize) -> Outcome {
        guard let crmSimulate = Self.installed() else { return .skipped("skipped (not installed)") }
        let cib = "\(directory)/cib-\(size.assemblies)-\(size.resources)-\(size.failed).xml"
        let graph = "\(directory)/graph.xml"
        let log = "\(directory)/crm_simulate.log"
        try? FileManager.default.removeItem(atPath: graph)
        do {
            let generated = try MeasuredProcess.run(
                "python3", [generator, "\(size.assemblies)", "\(size.resources)", "\(size.failed)"], outputPath: cib,
                errorPath: log, timeout: 120)
            guard generated.exitStatus == 0 else { return .failed("cib_gen.py failed (see \(log))") }
            let result = try MeasuredProcess.run(
                crmSimulate, ["-x", cib, "-G", graph, "-Q"], outputPath: log, errorPath: log + ".err", timeout: timeout)
            if result.timedOut { return .timedOut(result) }
            guard result.exitStatus == 0 else {
                return .failed("crm_simulate exited \(result.exitStatus.map(String.init) ?? "by a signal") (see \(log))")
            }
            guard FileManager.default.fileExists(atPath: graph) else { return .failed("crm_simulate wrote no graph") }
            return .measured(result)
        } catch {
            return .failed("\(error)")
        }
    }
}
