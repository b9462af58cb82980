import Foundation
import PCloudTestSupport
import Testing

/// Every unit in systemd/ passes `systemd-analyze verify` with no complaint at all (it exits 0 on some
/// errors, such as an unknown Type=, so any output counts as a failure). Installed paths are pointed
/// at this build's binaries and scripts so the executables it checks exist.
struct UnitFileTests {
    static let units: [String] = {
        let directory = BuiltProducts.packageRoot.appendingPathComponent("systemd")
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".service") }.sorted()
    }()

    static func localised(_ text: String) -> String {
        var text = text
        for binary in ["cped", "pcloudsh", "pcloud-agent"] {
            text = text.replacingOccurrences(of: "/usr/local/bin/\(binary)", with: BuiltProducts.path(binary))
        }
        return text.replacingOccurrences(of: "/usr/share/pcloud/", with: BuiltProducts.packageRoot.path + "/")
    }

    @Test func theControllerAndDeployableUnitsAreShipped() {
        #expect(Self.units.contains("pcloud-cped.service"))
        #expect(Self.units.contains("pcloud-deployable@.service"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"), "systemd-analyze is not installed"),
          arguments: units)
    func unitPassesSystemdAnalyzeVerify(_ unit: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("units-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Templates are verified as an instance; the units they depend on sit beside them.
        var files: [String] = []
        for name in Self.units {
            let text = try String(contentsOf: BuiltProducts.packageRoot.appendingPathComponent("systemd/\(name)"), encoding: .utf8)
            let instance = name.replacingOccurrences(of: "@.service", with: "@demo.service")
            try Self.localised(text).write(to: directory.appendingPathComponent(instance), atomically: true, encoding: .utf8)
            if name == unit { files.append(directory.appendingPathComponent(instance).path) }
        }
        let result = try runCommand("/usr/bin/systemd-analyze", ["verify", "--man=no"] + files)
        #expect(result.status == 0 && result.output.isEmpty, "\(unit):\n\(result.output)")
    }
}
