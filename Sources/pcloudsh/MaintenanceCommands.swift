import ArgumentParser
import Foundation
import PCloudModel

/// `maintenance_on` / `maintenance_off`: take an element out of pcloud's hands while it is worked on
/// by hand (Pacemaker's is-managed=false), and give it back.
struct MaintenanceOn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintenance_on",
        abstract: "Leave a deployable, assembly or resource unmanaged: monitored and reported, never repaired.",
        discussion: """
            While in maintenance the element is still monitored and its state and failures are reported, but pcloud \
            never starts, stops, restarts or fences it, nor escalates through it. With --for it ends by itself. \
            It survives a cped restart.
            """)
    @OptionGroup var controller: ControllerOptions
    @Argument(help: "The deployable.") var name: String
    @Argument(help: "ASSEMBLY or ASSEMBLY/RESOURCE (none: the whole deployable).") var element: String?
    @Option(name: .customLong("for"), help: ArgumentHelp("End it by itself after this long (e.g. 30m).", valueName: "duration"))
    var duration: String?

    func run() async throws {
        var query = "element=\((element ?? "").urlPathEscaped)"
        if let duration {
            let value = try DurationOption.parse(duration, option: "--for")
            query += "&for=\(DurationText.format(value).urlPathEscaped)"
        }
        _ = try await controller.client.request(.POST, "/v1/deployables/\(name.urlPathEscaped)/maintenance?\(query)")
        let what = element.map { "\($0) is" } ?? "everything is"
        print("deployable \(name): \(what) in maintenance" + (duration.map { " for \($0)" } ?? ""))
    }
}

struct MaintenanceOff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintenance_off",
        abstract: "End maintenance: the element is probed again, then managed (a stopped resource is started again).")
    @OptionGroup var controller: ControllerOptions
    @Argument(help: "The deployable.") var name: String
    @Argument(help: "ASSEMBLY or ASSEMBLY/RESOURCE (none: the whole deployable).") var element: String?

    func run() async throws {
        _ = try await controller.client.request(
            .DELETE, "/v1/deployables/\(name.urlPathEscaped)/maintenance?element=\((element ?? "").urlPathEscaped)")
        print("deployable \(name): \(element ?? "maintenance") ended; probing again")
    }
}
