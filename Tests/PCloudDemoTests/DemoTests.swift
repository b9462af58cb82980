import Foundation
import PCloudStore
import PCloudTestSupport
import Testing

/// The README's first command, run as the suite's last word: the demo deployable on two real QEMU
/// guests under libvirt, a resource killed, killed again until escalation, a guest's QEMU killed.
/// It runs this build's binaries (PCLOUD_BIN) on a private store; the assertions are on the event
/// history and the final state, never on timings.
@Suite(.serialized, .enabled(if: DemoPrerequisites.missing == nil, "\(DemoPrerequisites.missing ?? "")"))
struct DemoTests {
    @Test func theDemoRecoversFromEveryFailureItInjectsAndCleansUp() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pcloud-demo-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let binaries = URL(fileURLWithPath: BuiltProducts.path("cped")).deletingLastPathComponent().path
        let script = BuiltProducts.packageRoot.appendingPathComponent("scripts/demo.sh").path
        let run = try runCommand(
            "/usr/bin/env", ["PCLOUD_BIN=\(binaries)", "PCLOUD_DEMO_DIR=\(directory.path)", "/bin/bash", script])
        #expect(run.status == 0, "the demo failed:\n\(run.output.suffix(4000))")
        #expect(run.output.contains("timeline"))

        let store = try Store(path: directory.appendingPathComponent("pcloud.sqlite").path)
        let events = try store.events(after: 0, deployable: "demo", limit: 100_000)
        let kinds = events.map(\.kind)
        let expected = [
            "deployable.start", "assembly.start", "assembly.reachable", "resource.start", "deployable.state",
            "resource.restart", "resource.start", "resource.restart", "resource.restart", "assembly.restart", "assembly.fence",
            "assembly.fenced", "assembly.reachable", "assembly.restart", "assembly.fenced", "assembly.reachable",
            "deployable.stop", "assembly.stop", "deployable.monitoring-stopped",
        ]
        if let missing = firstMissing(expected, inOrderIn: kinds) {
            Issue.record("no \(missing.kind) after event \(missing.after): \(events.map(\.message))")
        }
        #expect(events.contains { $0.message.contains("escalating to restart assembly demo-back") })
        // The killed QEMU is noticed by libvirt's event or by the liveness check, whichever comes first.
        #expect(events.contains { $0.message.hasPrefix("assembly demo-front was lost:") })
        #expect(events.last(where: { $0.kind == "deployable.state" })?.message == "deployable demo is stopped")
        // Nothing the demo started is left behind.
        let leftovers = try runCommand("/usr/bin/pgrep", ["-f", "guest=pcloud-demo-demo-"])
        #expect(
            leftovers.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "QEMU left running: \(leftovers.output)")
    }
}

/// Why the demo cannot run here, or nil.
enum DemoPrerequisites {
    static var missing: String? {
        missingPrerequisite(
            executables: ["/usr/sbin/libvirtd", "/usr/bin/qemu-system-x86_64", "/usr/bin/ssh", "/usr/bin/tini"], needsRoot: true)
    }
}
