import ArgumentParser
import Foundation
import PCloudModel
import PCloudStore

struct DeployableCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployable_create", abstract: "Define a new, empty deployable.",
        discussion: "Add assemblies with deployable_assembly_add, or write a YAML file and use deployable_import.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The deployable's name.") var name: String
    @Argument(help: "Where its guests run: libvirt, openstack or static.") var infrastructure: String = "libvirt"
    @Argument(
        help: "How they are monitored: ssh or agent; or, in the original's form, its USER (then am or pm may follow)."
    ) var monitor: String = "ssh"
    @Argument(help: "The original's monitor after its USER: am (active: ssh) or pm (passive: the guest agent).")
    var originalMonitor: String?
    @Option(help: "libvirt connection URI.") var uri: String = "qemu:///system"
    @Option(help: "OpenStack cloud name from clouds.yaml.") var cloud: String?

    func run() async throws {
        try Names.check(name, "deployable name")
        if let refused = OriginalForms.refusedInfrastructure(infrastructure) { throw ShellFailure(refused) }
        let settings: InfrastructureSettings
        switch infrastructure {
        case "libvirt": settings = .libvirt(uri: uri)
        case "openstack": settings = .openstack(cloud: cloud, flavor: nil, network: nil)
        case "static": settings = .static
        default:
            throw ValidationError(
                "infrastructure must be one of libvirt, openstack or static, got '\(infrastructure)'\(DidYouMean.hint(for: infrastructure, among: ["libvirt", "openstack", "static"]))"
            )
        }
        let methods: [String: MonitorSettings.Method] = ["ssh": .ssh, "am": .ssh, "agent": .agent, "pm": .agent]
        let method: MonitorSettings.Method
        if let originalMonitor {
            // The original's NAME INFRA USER am|pm: the USER has no place in pcloud (below).
            guard let chosen = methods[originalMonitor] else {
                throw ValidationError("monitor must be am or pm (or ssh or agent), got '\(originalMonitor)'")
            }
            method = chosen
            if monitor != "root" { print(Self.userNote(monitor)) }
        } else if let chosen = methods[monitor] {
            method = chosen
        } else {
            try Names.check(monitor, "user name")
            method = .ssh  // the original's default, am
            if monitor != "root" { print(Self.userNote(monitor)) }
        }
        let created = try await global.openStore().createDeployable(
            Deployable(
                name: name, infrastructure: settings,
                monitor: MonitorSettings(method: method)))
        print(
            "Deployable \(name) created (\(settings.kind), \(method.rawValue) monitoring, uuid \(created.uuid!.uuidString.lowercased()))."
        )
    }
}

extension DeployableCreate {
    /// The original's USER owned the deployable's OpenStack project; pcloud has no such owner (root,
    /// the original's default, is also pcloud's ssh user: nothing to say then).
    static func userNote(_ user: String) -> String {
        "Note: the original's USER '\(user)' is not kept: pcloud reaches guests as their assembly's ssh user and takes OpenStack credentials from clouds.yaml (--cloud)."
    }
}

struct DeployableDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployable_delete", abstract: "Delete a deployable (its assemblies stay).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The deployable.") var name: String

    func run() async throws {
        try await global.openStore().deleteDeployable(named: name)
        print("Deployable \(name) deleted.")
    }
}

struct DeployableList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deployable_list", abstract: "List deployables.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let summaries = try await global.openStore().deployableSummaries()
        if output.json { return try Output.json(summaries) }
        Output.table(
            ["NAME", "INFRASTRUCTURE", "MONITOR", "ASSEMBLIES"],
            summaries.map {
                [$0.name, $0.infrastructure, $0.monitor, $0.assemblies.joined(separator: ", ")]
            })
    }
}

struct DeployableAssemblyAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployable_assembly_add", abstract: "Add an assembly to a deployable.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The deployable.") var deployable: String
    @Argument(help: "The assembly.") var assembly: String

    func run() async throws {
        try await global.openStore().addAssembly(assembly, to: deployable)
        print("Assembly \(assembly) added to deployable \(deployable).")
    }
}

struct DeployableAssemblyRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployable_assembly_remove", abstract: "Remove an assembly from a deployable.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The deployable.") var deployable: String
    @Argument(help: "The assembly.") var assembly: String

    func run() async throws {
        try await global.openStore().removeAssembly(assembly, from: deployable)
        print("Assembly \(assembly) removed from deployable \(deployable).")
    }
}

struct DeployableAssemblyList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployable_assembly_list", abstract: "List a deployable's assemblies.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The deployable.") var deployable: String

    func run() async throws {
        let store = try await global.openStore()
        guard let stored = try await store.deployable(named: deployable) else {
            throw StoreError.notFound(kind: "deployable", name: deployable)
        }
        var views: [AssemblyView] = []
        for assembly in stored.assemblies {
            views.append(try AssemblyView(assembly, deployables: await store.deployables(using: assembly.name)))
        }
        if output.json { return try Output.json(views) }
        Output.table(
            ["NAME", "IMAGE", "MEMORY", "RESOURCES"],
            views.map {
                [$0.name, $0.image ?? "-", "\($0.memoryMiB) MiB", $0.resources.map(\.name).joined(separator: ", ")]
            })
    }
}
