import Foundation
import PCloudModel

/// The original pcloudsh's argument forms, mapped onto pcloud's (docs/pcloudsh.md):
/// `jeos_create DISTRO ARCH`, `jeos_delete DISTRO ARCH`, `assembly_create NAME DISTRO ARCH` and
/// `deployable_create NAME INFRA USER [am|pm]`.
enum OriginalForms {
    /// The original's distributions; pcloud builds one base image for all of them.
    static let distributions = ["F14", "F15", "F16", "rhel61", "U10"]
    static let architectures = ["x86_64"]
    /// pcloud's base image (scripts/build-image.sh).
    static let image = "debian12"

    /// The image for the original's DISTRO ARCH, or a failure naming what is accepted.
    static func image(distribution: String, architecture: String) throws -> String {
        guard distributions.contains(distribution) else {
            throw ShellFailure(
                "unknown distribution '\(distribution)': the original's were \(distributions.joined(separator: ", ")) (all built as pcloud's \(image) image), or give a pcloud image name alone\(DidYouMean.hint(for: distribution, among: distributions))"
            )
        }
        guard architectures.contains(architecture) else {
            throw ShellFailure(
                "unknown architecture '\(architecture)' for \(distribution): the original and pcloud build x86_64 only")
        }
        return image
    }

    /// `NAME` or the original's `DISTRO ARCH` as an image name, telling the user when it maps.
    static func imageName(_ name: String, _ architecture: String?) throws -> String {
        guard architecture != nil || distributions.contains(name) else { return name }
        let mapped = try image(distribution: name, architecture: architecture ?? "x86_64")
        print(self.mapped(name, architecture ?? "x86_64"))
        return mapped
    }

    /// What the user is told when an original distribution is mapped.
    static func mapped(_ distribution: String, _ architecture: String) -> String {
        "\(distribution) \(architecture) is pcloud's \(image) image (the original's distributions are long out of support)"
    }

    /// The original's infrastructures: libvirt and openstack map to pcloud's, the others it never ran.
    static func refusedInfrastructure(_ text: String) -> String? {
        switch text {
        case "aeolus":
            return
                "infrastructure 'aeolus' is not supported: the original accepted it but never ran it (its Aeolus/Deltacloud driver was a stub); use libvirt or openstack"
        case "ovirt":
            return
                "infrastructure 'ovirt' is not supported: the original accepted it but had no oVirt module; use libvirt or openstack"
        default: return nil
        }
    }
}
