import Foundation
import PCloudTestSupport
import Testing

/// The shipped unit files pass `systemd-analyze verify` (no output means no complaint).
@Suite struct SystemdUnitTests {
    static let analyzer = "/usr/bin/systemd-analyze"

    @Test(arguments: ["pcloud-broker.service", "pcloud-agent.service"])
    func unitFileVerifies(unit: String) throws {
        if let reason = missingPrerequisite(executables: [Self.analyzer]) {
            Issue.record("skipped: \(reason)")
            return
        }
        let source = BuiltProducts.packageRoot.appendingPathComponent("systemd/\(unit)")
        // The agent unit names the installed binary; point it at the one just built.
        let text = try String(contentsOf: source, encoding: .utf8)
            .replacingOccurrences(of: "/usr/bin/pcloud-agent", with: BuiltProducts.path("pcloud-agent"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pcloud-units-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent(unit)
        try text.write(to: copy, atomically: true, encoding: .utf8)
        let (status, output) = try runCommand(Self.analyzer, ["verify", copy.path])
        #expect(status == 0 && output.isEmpty, "\(output)")
    }
}
