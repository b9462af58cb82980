/// What `pcloud-bench ssh` prints, and its rows of the `all` table.
enum SSHReport {
    static func render(_ measured: SSHBench.Measured, _ bench: SSHBench) -> String {
        let load = measured.load
        var lines: [String] = []
        var comparison = Table(
            ["method", "checks", "failed", "checks/s", "p50", "p99", "CPU per check", "CPU vs libssh2"],
            rightAligned: Set(1...7))
        let base = measured.comparison.first?.cpuPerCheck ?? 0
        for row in measured.comparison {
            comparison.add([
                row.method, "\(row.checks)", "\(row.failed)", Format.fixed(Double(row.checks) / row.wall, 1),
                duration(Percentile.of(row.latencies, 0.5)), duration(Percentile.of(row.latencies, 0.99)),
                Format.duration(row.cpuPerCheck), BenchSummary.ratio(row.cpuPerCheck, base),
            ])
        }
        lines.append("Same liveness command (`cat /proc/uptime .../boot_id`), same sshd, three ways:")
        lines.append(comparison.render())
        lines.append("")
        lines.append(
            "Watched as the engine watches (SSHMonitor.liveness, then sleep \(Format.fixed(bench.interval, 1)) s; one task"
                + " per guest, one SSHEventLoop thread): \(load.guests) guests (\(load.connected) connected in"
                + " \(Format.fixed(load.connectSeconds, 1)) s), sessions to \(bench.namespaces * bench.daemons + bench.victims)"
                + " sshd in \(bench.namespaces) network namespaces (~\(measured.guestsPerDaemon) guests per sshd;"
                + " a guest = one session = one TCP connection and its own sshd process).")
        var steady = Table(["steady window", "value", "target"], rightAligned: [1])
        steady.add(["wall", Format.fixed(load.wallSeconds, 1) + " s", ""])
        steady.add(["probes (failed)", "\(load.probes) (\(load.unexpectedFailures))", ""])
        steady.add(["controller cores (CPU s / wall s)", Format.fixed(load.cores, 3), coresTarget(load)])
        steady.add(["controller CPU per probe", Format.duration(load.cpuPerProbe), ""])
        steady.add([
            "check p50 / p99",
            duration(Percentile.of(load.checkSeconds, 0.5)) + " / " + duration(Percentile.of(load.checkSeconds, 0.99)), "",
        ])
        steady.add([
            "controller RSS (peak)",
            Format.megabytes(fromKiB: load.rssKiB) + " (" + Format.megabytes(fromKiB: load.peakKiB) + ")", rssTarget(load),
        ])
        steady.add([
            "guests' sshd: processes, summed PSS", "\(load.sshdProcesses), " + Format.megabytes(fromKiB: load.sshdPSSKiB), "",
        ])
        lines.append(steady.render())
        if let first = load.firstUnexpected { lines.append("first failed probe: \(first)") }
        lines.append("")
        let reasons = load.detectionReasons.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        lines.append(
            "Detection: \(bench.victims) sshd killed (listener, then every per-connection process) one by one at random"
                + " moments; each guest's phase is random. \(load.detections.count) of \(load.injectedGuests) guests"
                + " reported unreachable (\(reasons)): p50 \(ms(Percentile.of(load.detections, 0.5))), p99"
                + " \(ms(Percentile.of(load.detections, 0.99))), max \(ms(load.detections.max()))"
                + " (target p99 <= interval + 50 ms = \(ms(bench.interval + 0.05)): \(detectionMet(measured, bench) ? "met" : "MISSED"))"
        )
        return lines.joined(separator: "\n")
    }

    static func rows(_ measured: SSHBench.Measured, _ bench: SSHBench) -> [BenchRow] {
        let load = measured.load
        let ours = load.cpuPerProbe
        var rows: [BenchRow] = []
        let size = "\(load.guests) guests every \(Format.fixed(bench.interval, 0)) s"
        if measured.comparison.count == 3 {
            let fork = measured.comparison[1]
            let master = measured.comparison[2]
            rows.append(
                BenchRow(
                    benchmark: "ssh: controller CPU per probe", pcloud: Format.duration(ours),
                    reference: Format.duration(fork.cpuPerCheck) + " (ssh forked per check)",
                    ratio: BenchSummary.ratio(fork.cpuPerCheck, ours), target: ">= 10x less",
                    met: fork.cpuPerCheck / ours >= 10))
            rows.append(
                BenchRow(
                    benchmark: "ssh: controller CPU per probe", pcloud: Format.duration(ours),
                    reference: Format.duration(master.cpuPerCheck) + " (ssh ControlMaster)",
                    ratio: BenchSummary.ratio(master.cpuPerCheck, ours)))
        }
        rows.append(
            BenchRow(
                benchmark: "ssh: controller cores, \(size)", pcloud: Format.fixed(load.cores, 3) + " cores",
                target: "< 0.5 core, no failed probe",
                met: load.cores < 0.5 && load.unexpectedFailures == 0 && load.connected == load.guests))
        rows.append(
            BenchRow(
                benchmark: "ssh: controller RSS, \(size)", pcloud: Format.megabytes(fromKiB: load.rssKiB),
                target: "< 300 MB", met: load.rssKiB < 300 * 1024))
        rows.append(
            BenchRow(
                benchmark: "ssh: detection of a killed sshd p50 / p99",
                pcloud: ms(Percentile.of(load.detections, 0.5)) + " / " + ms(Percentile.of(load.detections, 0.99)),
                target: "p99 <= " + ms(bench.interval + 0.05), met: detectionMet(measured, bench)))
        return rows
    }

    static func detectionMet(_ measured: SSHBench.Measured, _ bench: SSHBench) -> Bool {
        let load = measured.load
        guard load.injectedGuests > 0, load.detections.count == load.injectedGuests,
            let p99 = Percentile.of(load.detections, 0.99)
        else { return false }
        return p99 <= bench.interval + 0.05
    }

    static func coresTarget(_ load: SSHWatchLoad.Result) -> String {
        load.guests >= 1000 ? "< 0.5 core at 1000 guests: " + (load.cores < 0.5 ? "met" : "MISSED") : "< 0.5 core at 1000 guests"
    }

    static func rssTarget(_ load: SSHWatchLoad.Result) -> String {
        load.guests >= 1000 ? "< 300 MB: " + (load.rssKiB < 300 * 1024 ? "met" : "MISSED") : "< 300 MB at 1000 guests"
    }

    static func duration(_ seconds: Double?) -> String { seconds.map(Format.duration) ?? "-" }

    /// Whole milliseconds (`5012 ms`): detection latencies are compared with interval + 50 ms.
    static func ms(_ seconds: Double?) -> String { seconds.map { Format.fixed($0 * 1000, 0) + " ms" } ?? "-" }
}
