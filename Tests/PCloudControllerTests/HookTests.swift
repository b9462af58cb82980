import Foundation
import Hummingbird
import Logging
import PCloudModel
import PCloudStore
import PCloudTestSupport
import Testing

@testable import PCloudController

/// A controller on a private store, with a deployable whose hooks are a real script and a real
/// webhook server on loopback.
private func controllerWithHooks(script: String?, webhook: String?) throws -> (Controller, URL) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hooks-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let store = try Store(path: directory.appendingPathComponent("s.sqlite").path)
    try store.importDeployable(
        Deployable(
            name: "dep", infrastructure: .static,
            assemblies: [Assembly(name: "a", address: "127.0.0.1")],
            hooks: Hooks(script: script, webhook: webhook)))
    var configuration = ControllerConfiguration()
    configuration.storePath = directory.path
    return (Controller(configuration: configuration, store: store, logger: Logger(label: "test")), directory)
}

private func stateEvent(_ state: String) -> StoredEvent {
    StoredEvent(
        at: Date().timeIntervalSince1970, deployable: "dep", kind: "deployable.state",
        message: "deployable dep is \(state)", data: #"{"state":"\#(state)"}"#)
}

/// Waits for an event of `kind` after `seq`.
private func awaitEvent(_ controller: Controller, kind: String) async throws -> StoredEvent? {
    for _ in 0..<200 {
        if let event = try await controller.store.eventsAsync(after: 0).first(where: { $0.kind == kind }) { return event }
        try await Task.sleep(for: .milliseconds(50))
    }
    return nil
}

@Test func theHookScriptRunsWithTheNewState() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hookscript-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let script = directory.appendingPathComponent("dep.sh")
    let record = directory.appendingPathComponent("ran")
    try "#!/bin/sh\necho \"$1 $PCLOUD_DEPLOYABLE\" >> \(record.path)\n".write(to: script, atomically: true, encoding: .utf8)
    chmod(script.path, 0o755)
    let (controller, _) = try controllerWithHooks(script: script.path, webhook: nil)
    let runner = Task { try await HookRunner(controller: controller).run() }
    defer { runner.cancel() }
    try await Task.sleep(for: .milliseconds(200))
    try await controller.publish([stateEvent("running")])
    let ran = try await awaitEvent(controller, kind: "hook.ran")
    #expect(ran?.message == "hook \(script.path) running ran")
    #expect(try String(contentsOf: record, encoding: .utf8) == "running dep\n")
}

@Test func aFailingOrHangingHookIsReportedAndKilled() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hookfail-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let script = directory.appendingPathComponent("dep.sh")
    try "#!/bin/sh\nif [ \"$1\" = failed ]; then echo 'no disk'; exit 3; fi\nsleep 600\n".write(
        to: script, atomically: true, encoding: .utf8)
    chmod(script.path, 0o755)
    let (controller, _) = try controllerWithHooks(script: script.path, webhook: nil)
    let runner = HookRunner(controller: controller, scriptTimeout: .milliseconds(500))
    let task = Task { try await runner.run() }
    defer { task.cancel() }
    try await Task.sleep(for: .milliseconds(200))
    try await controller.publish([stateEvent("failed")])
    let failed = try await awaitEvent(controller, kind: "hook.failed")
    #expect(failed?.message == "hook \(script.path) failed failed with exit status 3: no disk")
    #expect(failed?.severity == .warning)
    let outcome = await ScriptRun.run(script.path, arguments: ["running"], environment: [:], timeout: .milliseconds(300))
    #expect(outcome == .timedOut)
}

@Test func theWebhookReceivesTheEventAsJSON() async throws {
    let port = freeLoopbackPort()
    let received = AsyncStream<String>.makeStream()
    let router = Router()
    router.post("events") { request, _ -> HTTPResponse.Status in
        var request = request
        let body = try await request.collectBody(upTo: 1 << 16)
        received.continuation.yield(String(buffer: body))
        return .ok
    }
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    let server = Task { try await app.runService() }
    defer { server.cancel() }
    #expect(waitUntil(timeout: 10) { portIsOpen("127.0.0.1", UInt16(port)) })
    let (controller, _) = try controllerWithHooks(script: nil, webhook: "http://127.0.0.1:\(port)/events")
    let runner = Task { try await HookRunner(controller: controller).run() }
    defer { runner.cancel() }
    try await Task.sleep(for: .milliseconds(200))
    try await controller.publish([stateEvent("recovering")])
    var iterator = received.stream.makeAsyncIterator()
    let body = await iterator.next()
    let json = try JSONSerialization.jsonObject(with: Data((body ?? "").utf8)) as? [String: Any]
    #expect(json?["kind"] as? String == "deployable.state")
    #expect(json?["deployable"] as? String == "dep")
    #expect(json?["message"] as? String == "deployable dep is recovering")
}
