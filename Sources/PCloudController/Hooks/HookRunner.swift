import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PCloudModel
import PCloudStore

/// Runs a deployable's hooks on each of its state changes (events of kind `deployable.state`, whose
/// data carries `{"state": "..."}`): the script as `SCRIPT STATE` with the event in its environment,
/// and the event POSTed to the webhook as JSON. A hook that fails or hangs is reported as an event
/// of its own; it never delays recovery, because hooks run on their own tasks.
public actor HookRunner {
    let controller: Controller
    let scriptTimeout: Duration
    private var running: Set<Int64> = []

    public init(controller: Controller, scriptTimeout: Duration = .seconds(30)) {
        self.controller = controller
        self.scriptTimeout = scriptTimeout
    }

    /// Follows the event bus until cancelled.
    public func run() async throws {
        let latest = try await controller.store.lastEventSeqAsync()
        for await event in try await controller.bus.subscribe(after: latest) where event.kind == "deployable.state" {
            guard let deployable = try await controller.store.deployableAsync(named: event.deployable) else { continue }
            let hooks = deployable.hooks
            guard hooks.script != nil || hooks.webhook != nil else { continue }
            let state = HookState.state(of: event) ?? "unknown"
            if let script = hooks.script {
                Task { await self.runScript(script, state: state, event: event) }
            }
            if let webhook = hooks.webhook {
                Task { await self.post(webhook, event: event) }
            }
        }
    }

    func runScript(_ script: String, state: String, event: StoredEvent) async {
        let outcome = await ScriptRun.run(
            script, arguments: [state],
            environment: [
                "PCLOUD_DEPLOYABLE": event.deployable, "PCLOUD_STATE": state, "PCLOUD_EVENT_SEQ": "\(event.seq)",
                "PCLOUD_EVENT_MESSAGE": event.message,
            ], timeout: scriptTimeout)
        switch outcome {
        case .exited(0, _): await report(event, kind: "hook.ran", severity: .info, "hook \(script) \(state) ran")
        case .exited(let status, let output):
            await report(
                event, kind: "hook.failed", severity: .warning,
                "hook \(script) \(state) failed with exit status \(status)\(ScriptRun.tail(output))")
        case .timedOut:
            await report(
                event, kind: "hook.failed", severity: .warning,
                "hook \(script) \(state) did not finish within \(DurationText.format(scriptTimeout)) and was killed")
        case .couldNotStart(let reason):
            await report(event, kind: "hook.failed", severity: .warning, "hook \(script) could not be run: \(reason)")
        }
    }

    func post(_ webhook: String, event: StoredEvent) async {
        do {
            var request = HTTPClientRequest(url: webhook)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONBody.encoder.encode(event)))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 16)
            if !(200..<300).contains(response.status.code) {
                await report(
                    event, kind: "hook.failed", severity: .warning,
                    "webhook \(Redacted.url(webhook)) answered HTTP \(response.status.code)")
            }
        } catch {
            await report(event, kind: "hook.failed", severity: .warning, "webhook \(Redacted.url(webhook)) failed: \(error)")
        }
    }

    private func report(_ cause: StoredEvent, kind: String, severity: StoredEvent.Severity, _ message: String) async {
        _ = try? await controller.publish([
            StoredEvent(
                at: Date().timeIntervalSince1970, deployable: cause.deployable, kind: kind, severity: severity, message: message,
                data: #"{"cause":\#(cause.seq)}"#)
        ])
    }
}

/// The state named in a `deployable.state` event's data.
enum HookState {
    static func state(of event: StoredEvent) -> String? {
        guard let data = event.data?.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["state"] as? String
    }
}

/// URLs as they may appear in events: without user:password.
enum Redacted {
    static func url(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil || components.user != nil else {
            return text
        }
        components.user = nil
        components.password = nil
        return components.string ?? "(url)"
    }
}
