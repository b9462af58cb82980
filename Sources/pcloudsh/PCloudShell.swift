import ArgumentParser
import Foundation
import PCloudStore

/// `pcloudsh`: the original's command names, one-shot or as an interactive shell (no arguments).
struct PCloudShell: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pcloudsh",
        abstract: "The pcloud shell: define, start and watch highly available deployables.",
        discussion: "Run without arguments for the interactive shell (prompt 'pcloudsh# ').",
        version: "0.1.0",
        subcommands: [
            DeployableCreate.self, DeployableDelete.self, DeployableList.self,
            DeployableAssemblyAdd.self, DeployableAssemblyRemove.self, DeployableAssemblyList.self,
            DeployableImport.self, DeployableExport.self,
            AssemblyCreate.self, AssemblyClone.self, AssemblyDelete.self, AssemblyList.self,
            AssemblyResourceAdd.self, AssemblyResourceRemove.self, AssemblyResourceList.self, TemplateImport.self,
            EscalationAssemblySet.self, EscalationResourceSet.self,
            Validate.self,
            DeployableStart.self, DeployableStop.self, DeployableReload.self, DeployableWait.self, ResourceCleanup.self,
            MaintenanceOn.self, MaintenanceOff.self,
            DeployableStatusCommand.self, Events.self, ClusterStatus.self,
            JeosCreate.self, JeosList.self, JeosDelete.self,
        ])
}

/// Runs one command line and turns every outcome into an exit status: 0 ok, 1 failure, 2 usage.
enum Dispatcher {
    static func run(_ arguments: [String]) async -> Int32 {
        do {
            var command = try PCloudShell.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch {
            return report(error)
        }
    }

    static func report(_ error: Error) -> Int32 {
        switch error {
        case let failure as ShellFailure:
            printError(failure.description)
            return 1
        case let failure as StoreError:
            printError(failure.description)
            return 1
        case let failure as CPEDClient.Failure:
            printError(failure.description)
            return 1
        default:
            let code = PCloudShell.exitCode(for: error)
            let message = PCloudShell.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                return 0
            }
            if !message.isEmpty { printError(message, prefix: false) }
            if code == .validationFailure { return 2 }
            return code == .failure ? 1 : code.rawValue
        }
    }

    static func printError(_ message: String, prefix: Bool = true) {
        let text =
            prefix
            ? message.split(separator: "\n", omittingEmptySubsequences: false)
                .enumerated().map { $0.offset == 0 ? "error: \($0.element)" : String($0.element) }.joined(separator: "\n")
            : message
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

@main
enum Main {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.isEmpty {
            await InteractiveShell().run()
            exit(0)
        }
        exit(await Dispatcher.run(arguments))
    }
}
