import Foundation

/// The real libvirtd (and virtlogd) the QEMU tests use. A daemon that is already running is
/// used and left alone; otherwise the fixture starts them in the foreground and stops them by
/// PID when the last test using them is done.
///
/// They run under `tini -s` when it is installed: libvirtd reports a dead QEMU only once its
/// zombie is reaped, and QEMU is reparented to the nearest subreaper. This machine's PID 1 reaps
/// about every 2 s, which would delay every crash event by that much; tini reaps at once, as
/// systemd does on a normal host.
public actor LibvirtDaemon {
    public static let shared = LibvirtDaemon()
    /// Base images: scripts/build-tiny-guest.sh's and scripts/build-image.sh's.
    public static let images = "/var/lib/pcloud/images"
    public static let socket = "/var/run/libvirt/libvirt-sock"
    public static let logSocket = "/var/run/libvirt/virtlogd-sock"

    /// Why real QEMU guests cannot run here, or nil.
    public static let missing: String? = {
        if let reason = missingPrerequisite(
            executables: ["/usr/sbin/libvirtd", "/usr/sbin/virtlogd", "/usr/bin/qemu-system-x86_64", "/usr/bin/qemu-img"],
            needsRoot: true)
        {
            return reason
        }
        for file in ["tiny.vmlinuz", "tiny.initrd"] where !FileManager.default.fileExists(atPath: "\(LibvirtDaemon.images)/\(file)") {
            return "\(LibvirtDaemon.images)/\(file) is missing (run scripts/setup/libvirt.sh)"
        }
        return nil
    }()

    /// Why the debian12 image (scripts/build-image.sh) cannot be booted here, or nil.
    public static let debianImageMissing: String? = {
        if let reason = missing { return reason }
        if !FileManager.default.fileExists(atPath: "\(images)/debian12.img") {
            return "\(images)/debian12.img is not built (run scripts/build-image.sh debian12)"
        }
        return missingPrerequisite(executables: ["/usr/bin/ssh", "/usr/bin/ssh-keygen"])
    }()

    private var users = 0
    private var libvirtd: ManagedProcess?
    private var virtlogd: ManagedProcess?

    /// True when this fixture started libvirtd (so a test may restart it).
    public var ownsLibvirtd: Bool { libvirtd != nil }

    /// Runs `body` with the daemons up; releases them afterwards, also when `body` throws.
    public static func using(_ body: () async throws -> Void) async throws {
        try await shared.acquire()
        do {
            try await body()
        } catch {
            await shared.release()
            throw error
        }
        await shared.release()
    }

    func acquire() throws {
        users += 1
        try ensureRunning()
    }

    func release() {
        users -= 1
        if users == 0 { stopOwned() }
    }

    /// Stops the libvirtd this fixture started and starts a new one (guests keep running).
    public func restartLibvirtd() throws {
        guard let running = libvirtd else { throw ControllerError("libvirtd was not started by the tests") }
        running.stop(grace: 15)
        libvirtd = nil
        try ensureRunning()
    }

    private func ensureRunning() throws {
        for directory in ["/var/log/libvirt", "/var/run/libvirt", "/var/lib/libvirt/qemu"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        if !unixSocketAccepts(Self.logSocket) && virtlogd == nil {
            virtlogd = try Self.start("virtlogd", "/usr/sbin/virtlogd")
            guard waitUntil(timeout: 20, { unixSocketAccepts(Self.logSocket) }) else {
                throw ControllerError("virtlogd did not start: \(virtlogd!.logText())")
            }
        }
        if !unixSocketAccepts(Self.socket) {
            let process = try Self.start("libvirtd", "/usr/sbin/libvirtd")
            libvirtd = process
            guard waitUntil(timeout: 30, { unixSocketAccepts(Self.socket) || !process.isRunning }), process.isRunning else {
                throw ControllerError("libvirtd did not start: \(process.logText())")
            }
        }
    }

    private static func start(_ name: String, _ executable: String) throws -> ManagedProcess {
        let tini = "/usr/bin/tini"
        return try withSignalsUnblocked {
            guard FileManager.default.isExecutableFile(atPath: tini) else {
                return try ManagedProcess(name, executable: executable)
            }
            return try ManagedProcess(name, executable: tini, arguments: ["-s", "--", executable])
        }
    }

    private func stopOwned() {
        libvirtd?.stop(grace: 15)
        libvirtd = nil
        virtlogd?.stop()
        virtlogd = nil
    }
}

/// True when a connect to the unix socket at `path` succeeds (a daemon is serving it).
public func unixSocketAccepts(_ path: String) -> Bool {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8.prefix(107))
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in bytes.enumerated() { raw[index] = byte }
    }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    return result == 0
}
