import Foundation
import PCloudModel
import PCloudTestSupport
import Testing

@testable import PCloudLibvirt

/// A guest's overlay records only its base image's path: after the base image is rebuilt, the old
/// overlay would show the guest a corrupt file system, so it is made again (the old one kept aside).
@Suite(.enabled(if: SeedTools.missing == nil, "\(SeedTools.missing ?? "")"))
struct StaleOverlayTests {
    let images = URL(fileURLWithPath: TinyGuest.guestDirectory())
    let guests = URL(fileURLWithPath: TinyGuest.guestDirectory())

    func files() throws -> (GuestFiles, String) {
        let base = images.appendingPathComponent("base.img")
        try Data(count: 1 << 20).write(to: base)
        let configuration = LibvirtConfiguration(uri: "test:///default", imageDirectory: images.path, guestDirectory: guests.path)
        let image = try BaseImage(name: "base", directory: images.path)
        return (GuestFiles(domain: "pcloud-shop-web", configuration: configuration, image: image), base.path)
    }

    /// What scripts/build-image.sh does: a new file moved over the old one.
    func rebuild(_ base: String) throws {
        let fresh = base + ".new"
        try Data(repeating: 1, count: 2 << 20).write(to: URL(fileURLWithPath: fresh))
        _ = rename(fresh, base)
    }

    @Test func anOverlayIsMadeAgainOnlyWhenItsBaseWasRebuilt() async throws {
        defer { for url in [images, guests] { try? FileManager.default.removeItem(at: url) } }
        let (files, base) = try files()
        try FileManager.default.createDirectory(at: files.directory, withIntermediateDirectories: true)
        #expect(try await files.ensureOverlay(on: base) == false)
        let first = try FileManager.default.attributesOfItem(atPath: files.overlay.path)[.systemFileNumber] as? Int
        #expect(try await files.ensureOverlay(on: base) == false)
        #expect(try FileManager.default.attributesOfItem(atPath: files.overlay.path)[.systemFileNumber] as? Int == first)

        try rebuild(base)
        #expect(try await files.ensureOverlay(on: base) == true)
        #expect(FileManager.default.fileExists(atPath: files.overlay.appendingPathExtension("stale").path))
        #expect(try FileManager.default.attributesOfItem(atPath: files.overlay.path)[.systemFileNumber] as? Int != first)
        let info = try runCommand("/usr/bin/qemu-img", ["info", "--output=json", files.overlay.path]).output
        #expect(info.contains(base), "\(info)")
        #expect(try await files.ensureOverlay(on: base) == false)
    }

    @Test func anOverlayFromBeforeStampsIsMadeAgainOnce() async throws {
        defer { for url in [images, guests] { try? FileManager.default.removeItem(at: url) } }
        let (files, base) = try files()
        try FileManager.default.createDirectory(at: files.directory, withIntermediateDirectories: true)
        try await files.ensureOverlay(on: base)
        try FileManager.default.removeItem(at: files.overlayBase)
        #expect(try await files.ensureOverlay(on: base) == true)
        #expect(FileManager.default.fileExists(atPath: files.overlayBase.path))
        #expect(try await files.ensureOverlay(on: base) == false)
    }
}
