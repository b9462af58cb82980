import ArgumentParser
import Foundation
import PCloudStore

/// Where cped listens.
struct ControllerOptions: ParsableArguments {
    @Option(name: .customLong("socket"), help: ArgumentHelp("cped's API socket.", valueName: "path"))
    var socketPath: String = ProcessInfo.processInfo.environment["PCLOUD_SOCKET"] ?? "/run/pcloud/cped.sock"

    var client: CPEDClient { CPEDClient(socketPath: socketPath) }
}

struct DeployableStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployable_status",
        abstract: "Show every assembly and resource of a deployable: state, address, failures, last reason.")
    @OptionGroup var controller: ControllerOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The deployable.") var name: String

    func run() async throws {
        let data = try await controller.client.request(.GET, "/v1/deployables/\(name.urlPathEscaped)/status")
        if output.json {
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let status = try JSONDecoder().decode(StatusView.self, from: data)
        print("Deployable \(status.name): \(status.state) (\(status.infrastructure), \(status.monitor) monitoring)")
        var rows: [[String]] = []
        func shown(_ state: String, _ unmanaged: Bool?) -> String { unmanaged == true ? "\(state) (unmanaged)" : state }
        for assembly in status.assemblies {
            rows.append([
                assembly.name, "", shown(assembly.state, assembly.unmanaged), assembly.address ?? "-", "\(assembly.failures)", "",
            ])
            for resource in assembly.resources {
                rows.append([
                    "", resource.name, shown(resource.state, resource.unmanaged), "", "\(resource.failures)",
                    resource.lastReason ?? "",
                ])
            }
        }
        Output.table(["ASSEMBLY", "RESOURCE", "STATE", "ADDRESS", "FAILURES", "LAST REASON"], rows)
        for line in PlacementStatusText.lines(status.placed ?? [], failed: status.failedActions ?? []) { print(line) }
        for window in status.maintenance ?? [] {
            let what = window.element.isEmpty ? "the whole deployable" : window.element
            let until = window.until.map {
                " until " + Date(timeIntervalSince1970: $0).formatted(.iso8601.time(includingFractionalSeconds: false))
            }
            print("In maintenance (unmanaged): \(what)\(until ?? " until taken out (maintenance_off)")")
        }
        if let last = status.lastEvent { print("Last event: \(last)") }
    }

    struct StatusView: Decodable {
        var name: String
        var state: String
        var infrastructure: String
        var monitor: String
        var lastEvent: String?
        var assemblies: [Assembly]
        var placed: [PlacementStatusText.Placed]?
        var failedActions: [PlacementStatusText.Failed]?
        var maintenance: [Maintenance]?
        struct Maintenance: Decodable {
            var element: String
            var until: Double?
        }
        struct Assembly: Decodable {
            var name: String
            var state: String
            var address: String?
            var failures: Int
            var resources: [Resource]
            var unmanaged: Bool?
        }
        struct Resource: Decodable {
            var name: String
            var state: String
            var failures: Int
            var lastReason: String?
            var unmanaged: Bool?
        }
    }
}

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show events: one sentence each, coloured by severity on a terminal.",
        discussion: "With --follow, keeps printing new events as they happen (like the original shell's live display).")
    @OptionGroup var controller: ControllerOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .shortAndLong, help: "Keep printing events as they happen.") var follow = false
    @Option(help: "Only events after this sequence number.") var after: Int64 = 0
    @Option(help: "Only this deployable's events.") var deployable: String?

    func run() async throws {
        var query = "after=\(after)"
        if let deployable { query += "&deployable=\(deployable.urlPathEscaped)" }
        let printer = EventPrinter(json: output.json)
        if follow {
            try await controller.client.stream("/v1/events/stream?\(query)") { printer.print(line: $0) }
        } else {
            let data = try await controller.client.request(.GET, "/v1/events?\(query)&limit=10000")
            for event in try JSONDecoder().decode([StoredEvent].self, from: data) { printer.print(event) }
        }
    }
}

/// One line per event: `SEQ TIME [deployable] sentence`, coloured by severity on a terminal.
struct EventPrinter {
    let json: Bool
    let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    func print(line: Data) {
        guard let event = try? JSONDecoder().decode(StoredEvent.self, from: line) else { return }
        print(event)
    }

    func print(_ event: StoredEvent) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Swift.print(String(decoding: (try? encoder.encode(event)) ?? Data(), as: UTF8.self))
            fflush(nil)
            return
        }
        let time = Date(timeIntervalSince1970: event.at).formatted(.iso8601.time(includingFractionalSeconds: false))
        var sentence = event.message
        if colour {
            switch event.severity {
            case .error: sentence = "\u{1B}[1;31m\(sentence)\u{1B}[0m"
            case .warning: sentence = "\u{1B}[33m\(sentence)\u{1B}[0m"
            case .info:
                if event.kind.hasSuffix("running") || event.kind.hasSuffix("healthy") {
                    sentence = "\u{1B}[32m\(sentence)\u{1B}[0m"
                }
            }
        }
        Swift.print("\(event.seq)\t\(time)\t[\(event.deployable)] \(sentence)")
        fflush(nil)
    }
}

extension String {
    var urlPathEscaped: String {
        addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?&="))) ?? self
    }
}
