import Foundation
import PCloudTestSupport
import Testing

/// pcloudsh's jeos_list and jeos_delete on an image directory of stand-in files.
@Suite struct JeosCommandTests {
    let pcloudsh = BuiltProducts.path("pcloudsh")

    func imageDirectory() throws -> String {
        let path = "/tmp/pcloud-jeos-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for file in ["debian12.img", "debian12.vmlinuz", "debian12.initrd", "tiny.vmlinuz", "tiny.initrd", "notes.txt"] {
            _ = FileManager.default.createFile(atPath: "\(path)/\(file)", contents: Data(count: 1_048_576 * 2))
        }
        return path
    }

    @Test func jeosListShowsEachImageWithItsDiskAndKernel() throws {
        let directory = try imageDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try runCommand(pcloudsh, ["jeos_list", "--images", directory, "--json"])
        #expect(result.status == 0, "\(result.output)")
        struct View: Decodable {
            var name: String
            var rootDiskBytes: Int64?
            var kernel: Bool
        }
        let views = try JSONDecoder().decode([View].self, from: Data(result.output.utf8))
        #expect(views.map(\.name) == ["debian12", "tiny"])
        #expect(views.first?.rootDiskBytes == Int64(2 * 1_048_576))
        #expect(views.last?.rootDiskBytes == nil)
        #expect(views.allSatisfy { $0.kernel })
    }

    @Test func jeosDeleteRemovesTheImagesFilesAndRefusesAnUnknownOne() throws {
        let directory = try imageDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let deleted = try runCommand(pcloudsh, ["jeos_delete", "debian12", "--images", directory])
        #expect(deleted.status == 0, "\(deleted.output)")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(left == ["notes.txt", "tiny.initrd", "tiny.vmlinuz"])
        let unknown = try runCommand(pcloudsh, ["jeos_delete", "debian12", "--images", directory])
        #expect(unknown.status == 1)
        #expect(unknown.output.contains("no image named debian12"))
    }
}
