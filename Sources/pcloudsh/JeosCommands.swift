import ArgumentParser
import Foundation

/// Where base images (jeos) live: NAME.img (raw root file system), NAME.vmlinuz, NAME.initrd.
struct ImageDirectoryOption: ParsableArguments {
    @Option(name: .customLong("images"), help: "The image directory.")
    var directory: String = "/var/lib/pcloud/images"
}

/// One base image as found in the image directory.
struct JeosView: Codable {
    var name: String
    var rootDiskBytes: Int64?
    var kernel: Bool
    var initrd: Bool
    var built: Date?

    static let suffixes = ["img", "vmlinuz", "initrd"]

    static func all(in directory: String) -> [JeosView] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var names = Set<String>()
        for file in files {
            let url = URL(fileURLWithPath: file)
            if suffixes.contains(url.pathExtension) { names.insert(url.deletingPathExtension().lastPathComponent) }
        }
        return names.sorted().map { name in
            func attributes(_ suffix: String) -> [FileAttributeKey: Any]? {
                try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(name).\(suffix)")
            }
            let disk = attributes("img")
            return JeosView(
                name: name, rootDiskBytes: (disk?[.size] as? NSNumber)?.int64Value, kernel: attributes("vmlinuz") != nil,
                initrd: attributes("initrd") != nil, built: (disk ?? attributes("vmlinuz"))?[.modificationDate] as? Date)
        }
    }
}

struct JeosCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jeos_create", abstract: "Build a base guest image (debootstrap; about 2 minutes, cached).",
        discussion: "Runs scripts/build-image.sh NAME DIR as root; set PCLOUD_BUILD_IMAGE to use another builder.")
    @Argument(help: "The image to build (debian12), or the original's DISTRO (F16, rhel61, ...).") var name: String = "debian12"
    @Argument(help: "The original's ARCH after its DISTRO (x86_64).") var architecture: String?
    @OptionGroup var images: ImageDirectoryOption

    func run() throws {
        let name = try OriginalForms.imageName(name, architecture)
        try Names.check(name, "image name")
        guard let script = Self.builder() else {
            throw ShellFailure("scripts/build-image.sh not found: set PCLOUD_BUILD_IMAGE to its path")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, name, images.directory]
        // The builder shows its progress on our terminal; Ctrl-C reaches it.
        var none = sigset_t()
        var old = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ShellFailure("building \(name) failed (see above)") }
    }

    /// PCLOUD_BUILD_IMAGE, else scripts/build-image.sh beside the executable's package, else the
    /// installed copy.
    static func builder() -> String? {
        if let path = ProcessInfo.processInfo.environment["PCLOUD_BUILD_IMAGE"] { return path }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("scripts/build-image.sh").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        let installed = "/usr/share/pcloud/scripts/build-image.sh"
        return FileManager.default.fileExists(atPath: installed) ? installed : nil
    }
}

struct JeosList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jeos_list", abstract: "List the built base images.")
    @OptionGroup var images: ImageDirectoryOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let views = JeosView.all(in: images.directory)
        if output.json { return try Output.json(views) }
        Output.table(
            ["NAME", "ROOT DISK", "KERNEL", "BUILT"],
            views.map {
                [
                    $0.name, $0.rootDiskBytes.map { "\($0 / 1_048_576) MiB" } ?? "-",
                    $0.kernel && $0.initrd ? "yes" : "no", $0.built.map { "\($0)" } ?? "-",
                ]
            })
    }
}

struct JeosDelete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jeos_delete", abstract: "Delete a base image.")
    @Argument(help: "The image to delete, or the original's DISTRO (F16, rhel61, ...).") var name: String
    @Argument(help: "The original's ARCH after its DISTRO (x86_64).") var architecture: String?
    @OptionGroup var images: ImageDirectoryOption

    func run() throws {
        let name = try OriginalForms.imageName(name, architecture)
        try Names.check(name, "image name")
        var removed = 0
        for suffix in JeosView.suffixes {
            let path = "\(images.directory)/\(name).\(suffix)"
            if FileManager.default.fileExists(atPath: path) {
                try FileManager.default.removeItem(atPath: path)
                removed += 1
            }
        }
        guard removed > 0 else { throw ShellFailure("no image named \(name) in \(images.directory)") }
        print("Image \(name) deleted.")
    }
}
