import Foundation
import PCloudModel

/// The files made for one guest in `guestDirectory/DOMAIN/`: a qcow2 overlay backed by the base
/// image, an ssh host key generated here (so the controller pins it without trust on first use),
/// and a small seed disk carrying that key and the deployable's authorized key into the guest.
/// Made once; starting the guest again reuses them.
struct GuestFiles {
    let directory: URL
    let image: BaseImage

    var overlay: URL { directory.appendingPathComponent("root.qcow2") }
    /// Which base file the overlay was made on (device, inode, size, modification time).
    var overlayBase: URL { directory.appendingPathComponent("root.base") }
    var seed: URL { directory.appendingPathComponent("seed.img") }
    var consoleLog: URL { directory.appendingPathComponent("console.log") }
    var hostKey: URL { directory.appendingPathComponent("ssh_host_ed25519_key") }

    init(domain: String, configuration: LibvirtConfiguration, image: BaseImage) {
        directory = URL(fileURLWithPath: configuration.guestDirectory).appendingPathComponent(domain)
        self.image = image
    }

    /// Makes what is missing (and the seed disk again, so it carries the current definition);
    /// returns the host public key when the guest has a disk to carry it. `agent` is the guest's
    /// agent.json as the guest must see it (broker address on its network), for the agent method.
    func prepare(for spec: GuestSpec, domain: String, agent: GuestAgentFile?) async throws -> String? {
        let files = FileManager.default
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        guard let base = image.rootDisk else { return nil }
        try await ensureOverlay(on: base)
        if !files.fileExists(atPath: hostKey.path) {
            try await ExternalTool.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", domain, "-f", hostKey.path])
        }
        let publicKey = try String(contentsOf: hostKey.appendingPathExtension("pub"), encoding: .utf8)
        try await makeSeed(spec: spec, domain: domain, agent: agent)
        return publicKey.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Makes the overlay, or makes it again when its base image was rebuilt since: a qcow2
    /// overlay records only the base's path, and blocks written over another file system are
    /// garbage on the new one (the guest would not even find its init). The stale overlay is kept
    /// beside it as root.qcow2.stale (the one before is dropped). Returns true when it was replaced.
    @discardableResult
    func ensureOverlay(on base: String) async throws -> Bool {
        let files = FileManager.default
        let stamp = try Self.identity(of: base)
        // An overlay made before stamps were kept cannot be told apart from one on a rebuilt base
        // (its writes say nothing, and a guest that booted on a rebuilt base wrote to it too): it
        // is made again once, and kept aside like any stale one.
        let recorded = try? String(contentsOf: overlayBase, encoding: .utf8)
        let stale = files.fileExists(atPath: overlay.path) && recorded != stamp
        if stale {
            let kept = overlay.appendingPathExtension("stale")
            try? files.removeItem(at: kept)
            try files.moveItem(at: overlay, to: kept)
        }
        if !files.fileExists(atPath: overlay.path) {
            try await ExternalTool.run("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "raw", "-b", base, overlay.path])
            try Data(stamp.utf8).write(to: overlayBase)
        }
        return stale
    }

    /// A file's identity: a rebuilt image is a new file (scripts/build-image.sh moves it into place).
    static func identity(of path: String) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw LibvirtError(operation: "find base image \(path)", message: String(cString: strerror(errno)))
        }
        return "\(info.st_dev) \(info.st_ino) \(info.st_size) \(info.st_mtim.tv_sec)"
    }

    /// An ext4 image labelled `pcloud-seed` with the per-guest files; the base image's
    /// pcloud-seed.service copies them into place before sshd and pcloud-agent start. It holds the
    /// deployable's broker password when the guest runs the agent, so only root may read it.
    private func makeSeed(spec: GuestSpec, domain: String, agent: GuestAgentFile?) async throws {
        let files = FileManager.default
        let content = directory.appendingPathComponent("seed")
        try? files.removeItem(at: content)
        try files.createDirectory(at: content, withIntermediateDirectories: true)
        defer { try? files.removeItem(at: content) }
        for suffix in ["", ".pub"] {
            try files.copyItem(
                at: URL(fileURLWithPath: hostKey.path + suffix),
                to: content.appendingPathComponent("ssh_host_ed25519_key" + suffix))
        }
        try Data(((spec.authorizedKey ?? "") + "\n").utf8).write(to: content.appendingPathComponent("authorized_keys"))
        try Data("\(spec.name.assembly)\n".utf8).write(to: content.appendingPathComponent("hostname"))
        if let agent {
            try agent.json().write(to: content.appendingPathComponent("agent.json"))
            if let ca = agent.broker.caPEM { try Data(ca.utf8).write(to: content.appendingPathComponent("broker-ca.pem")) }
        }
        let temporary = seed.appendingPathExtension("tmp")
        try? files.removeItem(at: temporary)
        _ = files.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600])
        try await ExternalTool.run("mkfs.ext4", ["-q", "-F", "-L", "pcloud-seed", "-d", content.path, temporary.path, "4M"])
        try files.moveItem(at: temporary, to: seed)
    }

    func removeAll() throws {
        if FileManager.default.fileExists(atPath: directory.path) { try FileManager.default.removeItem(at: directory) }
    }
}

/// A base image in the image directory: NAME.img (raw root file system) and/or NAME.vmlinuz +
/// NAME.initrd (booted directly, so the image needs no boot loader).
struct BaseImage {
    var name: String
    var rootDisk: String?
    var kernel: String?
    var initrd: String?

    init(name: String, directory: String) throws {
        self.name = name
        func existing(_ suffix: String) -> String? {
            let path = "\(directory)/\(name).\(suffix)"
            return FileManager.default.fileExists(atPath: path) ? path : nil
        }
        rootDisk = existing("img")
        kernel = existing("vmlinuz")
        initrd = existing("initrd")
        guard rootDisk != nil || kernel != nil else {
            throw LibvirtError(
                operation: "find image \(name)",
                message: "no \(name).img or \(name).vmlinuz in \(directory) (build it with scripts/build-image.sh)")
        }
    }

    /// The kernel command line: root on the overlay (vda) when there is a disk, console on ttyS0.
    var kernelArguments: String? {
        guard kernel != nil else { return nil }
        return rootDisk != nil ? "root=/dev/vda rw console=ttyS0 net.ifnames=0" : "console=ttyS0"
    }
}
