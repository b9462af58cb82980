import ArgumentParser
import Foundation
import PCloudModel
import PCloudStore

/// How long to wait for a deployable to reach a state, and whether to.
struct WaitOptions: ParsableArguments {
    @Flag(help: "Wait until the deployable is running (start) or stopped (stop), showing progress.") var wait = false
    @Option(help: ArgumentHelp("Give up waiting after this long (e.g. 90s, 5m).", valueName: "duration"))
    var timeout: String = "5m"

    func limit() throws -> Duration {
        try DurationOption.parse(timeout, option: "--timeout")
    }
}

struct DeployableStart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployable_start",
        abstract: "Start a deployable: its guests, then its resources in order; then keep it running.")
    @OptionGroup var controller: ControllerOptions
    @OptionGroup var waiting: WaitOptions
    @Argument(help: "The deployable.") var name: String

    func run() async throws {
        let limit = try waiting.limit()
        _ = try await controller.client.request(.POST, "/v1/deployables/\(name.urlPathEscaped)/start")
        print("deployable \(name): start requested")
        if waiting.wait {
            try await StateWaiter(client: controller.client, name: name).wait(
                for: ["running", "degraded"], failOn: ["failed", "stopped"], limit: limit)
        }
    }
}

struct DeployableStop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployable_stop", abstract: "Stop a deployable: its resources in reverse order, then its guests.")
    @OptionGroup var controller: ControllerOptions
    @OptionGroup var waiting: WaitOptions
    @Argument(help: "The deployable.") var name: String

    func run() async throws {
        let limit = try waiting.limit()
        _ = try await controller.client.request(.POST, "/v1/deployables/\(name.urlPathEscaped)/stop")
        print("deployable \(name): stop requested")
        if waiting.wait {
            try await StateWaiter(client: controller.client, name: name).wait(
                for: ["stopped", "failed"], failOn: [], limit: limit)
        }
    }
}

struct DeployableReload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployable_reload",
        abstract: "Apply a started deployable's changed definition without restarting what did not change.")
    @OptionGroup var controller: ControllerOptions
    @Argument(help: "The deployable.") var name: String

    func run() async throws {
        _ = try await controller.client.request(.POST, "/v1/deployables/\(name.urlPathEscaped)/reload")
        print("deployable \(name): reloaded")
    }
}

struct ResourceCleanup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resource_cleanup",
        abstract: "Forget a resource's failures and probe it again (like crm_resource --cleanup); unblocks it.")
    @OptionGroup var controller: ControllerOptions
    @Argument(help: "The deployable.") var name: String
    @Argument(help: "ASSEMBLY/RESOURCE.") var resource: String

    func run() async throws {
        _ = try await controller.client.request(
            .POST, "/v1/deployables/\(name.urlPathEscaped)/cleanup?resource=\(resource.urlPathEscaped)")
        print("deployable \(name): \(resource) cleaned up")
    }
}

/// Polls a deployable's status until it reaches one of the wanted states, printing progress.
struct StateWaiter {
    let client: CPEDClient
    let name: String

    func wait(for wanted: Set<String>, failOn: Set<String>, limit: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var shown = ""
        var moved = false
        while clock.now < deadline {
            let data = try await client.request(.GET, "/v1/deployables/\(name.urlPathEscaped)/status")
            let status = try JSONDecoder().decode(DeployableStatusCommand.StatusView.self, from: data)
            let resources = status.assemblies.flatMap(\.resources)
            let line =
                "\(status.state): \(status.assemblies.filter { $0.state == "running" }.count)/\(status.assemblies.count) assemblies, "
                + "\(resources.filter { $0.state == "running" }.count)/\(resources.count) resources running"
            if line != shown {
                print("  \(line)")
                fflush(nil)
                shown = line
            }
            if wanted.contains(status.state) { return }
            // The request may not have been acted on yet: a state to fail on counts only once the
            // deployable was seen in another state since.
            if !failOn.contains(status.state) { moved = true }
            if moved, failOn.contains(status.state) {
                throw CPEDClient.Failure(
                    description:
                        "deployable \(name) is \(status.state): see pcloudsh deployable_status \(name) and pcloudsh events --deployable \(name)"
                )
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw CPEDClient.Failure(
            description:
                "deployable \(name) did not reach \(wanted.sorted().joined(separator: " or ")) within \(DurationText.format(limit)); it goes on trying: see pcloudsh deployable_status \(name)"
        )
    }
}

struct DeployableWait: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployable_wait",
        abstract: "Wait until a deployable reports a state (after an event sequence number): for scripts.",
        discussion: "Exit status 0 when it does, 1 on timeout. With --after, only state changes after that event count.")
    @OptionGroup var controller: ControllerOptions
    @Argument(help: "The deployable.") var name: String
    @Option(name: .customLong("for"), help: "The state to wait for (running, recovering, stopped, failed, ...).")
    var state: String = "running"
    @Option(help: "Only state changes after this event sequence number count.") var after: Int64?
    @Option(help: ArgumentHelp("Give up after this long.", valueName: "duration")) var timeout: String = "5m"

    func run() async throws {
        let limit = try DurationOption.parse(timeout, option: "--timeout")
        guard let after else {
            try await StateWaiter(client: controller.client, name: name).wait(for: [state], failOn: [], limit: limit)
            return
        }
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            let data = try await controller.client.request(
                .GET, "/v1/events?deployable=\(name.urlPathEscaped)&after=\(after)&limit=10000")
            let events = try JSONDecoder().decode([StoredEvent].self, from: data)
            if let event = events.first(where: { $0.kind == "deployable.state" && $0.data?.contains("\"\(state)\"") == true }) {
                print("deployable \(name) is \(state) (event \(event.seq))")
                return
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        throw CPEDClient.Failure(description: "deployable \(name) was not \(state) within \(DurationText.format(limit))")
    }
}
