import Foundation
import PCloudLibvirt
import PCloudModel
import PCloudTestSupport

/// Specs and configurations for the tests' guests.
enum TinyGuest {
    /// Where scripts/build-tiny-guest.sh puts the real kernel + busybox initramfs.
    static let images = LibvirtDaemon.images

    static func spec(_ deployable: String, _ assembly: String, image: String = "tiny", memoryMiB: Int = 128) -> GuestSpec {
        GuestSpec(
            name: GuestName(deployable: deployable, assembly: assembly),
            deployableUUID: UUID().uuidString.lowercased(), image: image, memoryMiB: memoryMiB, vcpus: 1)
    }

    /// A private guest directory under /tmp, so tests never touch /var/lib/pcloud/guests.
    static func guestDirectory() -> String {
        let path = "/tmp/pcloud-libvirt-tests-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// An image directory with empty stand-ins for a kernel and initrd (`tiny`) and for a kernel,
    /// initrd and root disk (`disk`): the test driver never reads them, but the overlay, host key
    /// and seed disk are really made for `disk`.
    static func fakeImages() throws -> String {
        let path = "/tmp/pcloud-libvirt-fake-images-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for file in ["tiny.vmlinuz", "tiny.initrd", "disk.vmlinuz", "disk.initrd", "disk.img"] {
            _ = FileManager.default.createFile(atPath: "\(path)/\(file)", contents: Data())
        }
        return path
    }

    static func testDriver() throws -> LibvirtConfiguration {
        LibvirtConfiguration(
            uri: "test:///default", virtualization: "test", imageDirectory: try fakeImages(),
            guestDirectory: guestDirectory(), network: .loopbackForward, fenceTimeout: .seconds(5))
    }

    static func qemu(network: LibvirtConfiguration.NetworkMode = .none) -> LibvirtConfiguration {
        LibvirtConfiguration(
            uri: "qemu:///system", virtualization: "qemu", imageDirectory: images, guestDirectory: guestDirectory(),
            network: network, fenceTimeout: .seconds(30))
    }
}
