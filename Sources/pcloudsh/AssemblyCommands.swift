import ArgumentParser
import Foundation
import PCloudModel
import PCloudStore

struct AssemblyCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assembly_create", abstract: "Define a new assembly (one guest).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The assembly's name.") var name: String
    @Argument(help: "The base image (jeos) it is built from, or the original's DISTRO (F16, rhel61, ...).")
    var image: String = "debian12"
    @Argument(help: "The original's ARCH after its DISTRO (x86_64).") var architecture: String?
    @Option(help: "Memory in MiB.") var memory: Int = 256
    @Option(help: "Virtual CPUs.") var vcpus: Int = 1
    @Option(help: "A fixed address (static infrastructure).") var address: String?

    func run() async throws {
        try Names.check(name, "assembly name")
        var image = image
        if architecture != nil || OriginalForms.distributions.contains(image) {
            let distribution = image
            image = try OriginalForms.image(distribution: distribution, architecture: architecture ?? "x86_64")
            print(OriginalForms.mapped(distribution, architecture ?? "x86_64"))
        }
        try Names.check(image, "image")
        guard (32...1_048_576).contains(memory) else { throw ShellFailure("--memory must be from 32 to 1048576 MiB") }
        guard (1...256).contains(vcpus) else { throw ShellFailure("--vcpus must be from 1 to 256") }
        try await global.openStore().createAssembly(
            // A uuid of its own, as the original's shell gave every assembly it created or cloned
            // (its engine needs one per guest; the XML export writes it).
            Assembly(name: name, image: image, memoryMiB: memory, vcpus: vcpus, address: address, uuid: UUID()))
        print("Assembly \(name) created (image \(image)).")
    }
}

struct AssemblyClone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "assembly_clone", abstract: "Copy an assembly under a new name.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The assembly to copy.") var source: String
    @Argument(help: "The new assembly's name.") var name: String

    func run() async throws {
        try Names.check(name, "assembly name")
        let store = try await global.openStore()
        guard var assembly = try await store.assembly(named: source) else {
            throw StoreError.notFound(kind: "assembly", name: source)
        }
        assembly.name = name
        assembly.ssh.hostKey = nil  // a new guest gets its own host key
        assembly.uuid = UUID()  // and its own uuid, as the original's clone gave it
        assembly.address = nil
        try await store.createAssembly(assembly)
        print("Assembly \(name) cloned from \(source).")
    }
}

struct AssemblyDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assembly_delete", abstract: "Delete an assembly that no deployable uses.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The assembly to delete.") var name: String

    func run() async throws {
        try await global.openStore().deleteAssembly(named: name)
        print("Assembly \(name) deleted.")
    }
}

struct AssemblyList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "assembly_list", abstract: "List assemblies.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let store = try await global.openStore()
        var views: [AssemblyView] = []
        for assembly in try await store.assemblies() {
            views.append(try AssemblyView(assembly, deployables: await store.deployables(using: assembly.name)))
        }
        if output.json { return try Output.json(views) }
        Output.table(
            ["NAME", "IMAGE", "MEMORY", "RESOURCES", "DEPLOYABLES"],
            views.map {
                [
                    $0.name, $0.image ?? "-", "\($0.memoryMiB) MiB", $0.resources.map(\.name).joined(separator: ", "),
                    $0.deployables.joined(separator: ", "),
                ]
            })
    }
}

struct AssemblyResourceAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assembly_resource_add", abstract: "Add a resource to an assembly from a template.",
        discussion: "Templates live in Assemblies/templates/ (httpd, apache2, nginx, mariadb, postgresql, dummy, ...).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The resource's name.") var name: String
    @Argument(help: "The template it is made from.") var template: String
    @Argument(help: "The assembly it runs in.") var assembly: String
    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter, NAME=VALUE (repeatable).", valueName: "name=value"))
    var parameters: [String] = []

    func run() async throws {
        try Names.check(name, "resource name")
        try Names.check(template, "template name")
        var resource: Resource
        do { resource = try global.loader.loadTemplate(named: template) } catch let errors as DefinitionErrors {
            throw ShellFailure(errors.description)
        }
        resource.name = name
        for text in parameters {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw ValidationError("--param takes NAME=VALUE, got '\(text)'")
            }
            try Names.check(String(text[..<equals]), "--param name")
            let parameter = Parameter(name: String(text[..<equals]), value: .literal(String(text[text.index(after: equals)...])))
            resource.parameters.removeAll { $0.name == parameter.name }
            resource.parameters.append(parameter)
        }
        let added = resource
        try await global.openStore().updateAssembly(named: assembly) { stored in
            guard stored.resource(named: name) == nil else {
                throw ShellFailure("resource '\(name)' is already in assembly '\(assembly)'")
            }
            stored.resources.append(added)
        }
        print("Resource \(name) (\(resource.resourceClass.rawValue):\(resource.type)) added to assembly \(assembly).")
    }
}

struct AssemblyResourceRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assembly_resource_remove", abstract: "Remove a resource from an assembly.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The resource.") var name: String
    @Argument(help: "The assembly.") var assembly: String

    func run() async throws {
        try await global.openStore().updateAssembly(named: assembly) { stored in
            guard stored.resource(named: name) != nil else {
                throw ShellFailure("resource '\(name)' is not in assembly '\(assembly)'")
            }
            stored.resources.removeAll { $0.name == name }
        }
        print("Resource \(name) removed from assembly \(assembly).")
    }
}

struct AssemblyResourceList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assembly_resource_list", abstract: "List an assembly's resources.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The assembly.") var assembly: String

    func run() async throws {
        guard let stored = try await global.openStore().assembly(named: assembly) else {
            throw StoreError.notFound(kind: "assembly", name: assembly)
        }
        let views = stored.resources.map(ResourceView.init)
        if output.json { return try Output.json(views) }
        Output.table(
            ["NAME", "CLASS", "TYPE", "MONITOR", "ON-FAIL", "ESCALATION"],
            views.map {
                [$0.name, $0.resourceClass, $0.type, "every \($0.monitorInterval)", $0.onFail, $0.escalation ?? "never"]
            })
    }
}

struct EscalationAssemblySet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escalation_assembly_set", abstract: "Set when an assembly's failures escalate to its deployable.",
        discussion: "Escalation happens when FAILURES failures fall within PERIOD (e.g. 3 10m). 0 or INFINITY: never escalate.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The assembly.") var assembly: String
    @Argument(help: "Number of failures (0 or INFINITY: never).") var failures: String
    @Argument(help: "Period, e.g. 600, 10m.") var period: String

    func run() async throws {
        let limit = try EscalationArguments.parse(failures: failures, period: period)
        try await global.openStore().updateAssembly(named: assembly) { $0.escalation = limit }
        print("Assembly \(assembly) escalates \(EscalationArguments.describe(limit)).")
    }
}

struct EscalationResourceSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escalation_resource_set", abstract: "Set when a resource's failures escalate to its assembly.",
        discussion: "Escalation happens when FAILURES failures fall within PERIOD (e.g. 3 60s). 0 or INFINITY: never escalate.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The resource.") var resource: String
    @Argument(help: "The assembly it runs in.") var assembly: String
    @Argument(help: "Number of failures (0 or INFINITY: never).") var failures: String
    @Argument(help: "Period, e.g. 60, 1m.") var period: String

    func run() async throws {
        let limit = try EscalationArguments.parse(failures: failures, period: period)
        try await global.openStore().updateAssembly(named: assembly) { stored in
            guard let index = stored.resources.firstIndex(where: { $0.name == resource }) else {
                throw ShellFailure("resource '\(resource)' does not exist in assembly '\(assembly)'")
            }
            stored.resources[index].escalation = limit
        }
        print("Resource \(assembly)/\(resource) escalates \(EscalationArguments.describe(limit)).")
    }
}

enum EscalationArguments {
    static func parse(failures: String, period: String) throws -> EscalationLimit? {
        if failures.uppercased() == "INFINITY" || period.uppercased() == "INFINITY" { return nil }
        guard let count = Int(failures), count >= 0 else {
            throw ValidationError("FAILURES must be a whole number >= 0 or INFINITY, got '\(failures)'")
        }
        let duration = try DurationOption.parse(period, option: "PERIOD")
        return count > 0 && duration > .zero ? EscalationLimit(failures: count, period: duration) : nil
    }

    static func describe(_ limit: EscalationLimit?) -> String {
        guard let limit else { return "never (it is only ever restarted)" }
        return "after \(limit.failures) failure\(limit.failures == 1 ? "" : "s") within \(DurationText.format(limit.period))"
    }
}

enum Names {
    /// `NameRule`, the one rule for every name, with the option or argument it came from.
    static func check(_ name: String, _ what: String) throws {
        if let problem = NameRule.problem(name) { throw ValidationError("\(what): \(problem)") }
    }
}

enum DurationOption {
    /// A duration given on the command line, at most `DurationText.maximum`; `option` names it in errors.
    static func parse(_ text: String, option: String) throws -> Duration {
        switch DurationText.read(text) {
        case .success(let duration): return duration
        case .failure(let problem): throw ValidationError("\(option): \(DurationText.message(problem, text: text))")
        }
    }
}
