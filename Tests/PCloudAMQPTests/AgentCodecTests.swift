import PCloudAMQP
import Testing

@Suite struct AgentCodecTests {
    static let resource = ResourceSpec(
        name: "web", resourceClass: "ocf", type: "apache", provider: "heartbeat",
        params: ["configfile": "/etc/apache2/apache2.conf"])

    static let messages: [AgentMessage] = [
        .heartbeat(Heartbeat(seq: 17, bootID: "6f1c-boot", uptime: 321.5, assembly: "web", deployable: "demo")),
        .status(StatusChange(deployable: "demo", assembly: "web", resource: "httpd", code: 7, output: "not running")),
        .request(AgentRequest(id: "c-1", action: "start", resource: resource)),
        .request(
            AgentRequest(
                id: "c-2", action: "monitor",
                resource: ResourceSpec(
                    name: "marker", resourceClass: "exec", type: "marker", commands: ExecCommandSpec(monitor: "test -f /tmp/x")))),
        .reply(AgentReply(id: "c-1", code: 0, output: "started")),
    ]

    @Test(arguments: messages) func everyKindRoundTrips(message: AgentMessage) throws {
        let wire = AgentCodec.encode(message)
        #expect(wire.subject == message.subject)
        #expect(try AgentCodec.decode(wire).get() == message)
        // And through real AMQP framing.
        #expect(try AgentCodec.decode(AMQPMessage(decoding: wire.encoded())).get() == message)
    }

    @Test func heartbeatUsesTheDocumentedFieldNames() {
        let wire = AgentCodec.encode(.heartbeat(Heartbeat(seq: 1, bootID: "b", uptime: 2, assembly: "a", deployable: "d")))
        #expect(wire.body == #"{"assembly":"a","boot_id":"b","deployable":"d","seq":1,"uptime":2,"v":1}"#)
    }

    static let malformed: [(subject: String?, body: String, reason: String)] = [
        ("heartbeat", "not json", "body is not JSON"),
        ("heartbeat", #"{"seq":1}"#, "missing field 'v'"),
        ("heartbeat", #"{"v":2,"seq":1}"#, "unsupported protocol version 2 (expected 1)"),
        ("heartbeat", #"{"v":1,"seq":1,"uptime":1,"assembly":"a","deployable":"d"}"#, "missing field 'boot_id'"),
        (
            "heartbeat", #"{"v":1,"seq":"one","boot_id":"b","uptime":1,"assembly":"a","deployable":"d"}"#,
            "field 'seq' has the wrong type"
        ),
        ("heartbeat", #"{"v":1,"seq":1,"boot_id":"","uptime":1,"assembly":"a","deployable":"d"}"#, "heartbeat without boot_id"),
        // An uptime a controller would have to multiply past Int64 (it trapped before).
        (
            "heartbeat", #"{"v":1,"seq":1,"boot_id":"b","uptime":1e300,"assembly":"a","deployable":"d"}"#,
            "heartbeat uptime 1e+300 is not a duration"
        ),
        ("heartbeat", #"{"v":1,"seq":1,"boot_id":"b","uptime":-3,"assembly":"a","deployable":"d"}"#, "heartbeat uptime -3.0 is not a duration"),
        ("gossip", #"{"v":1}"#, "unknown subject 'gossip'"),
        (nil, #"{"v":1}"#, "unknown subject (none)"),
        (
            "request", #"{"v":1,"id":"x","action":"reboot","resource":{"name":"n","class":"exec","type":"t","params":{}}}"#,
            "unknown action 'reboot'"
        ),
        (
            "request", #"{"v":1,"id":"x","action":"start","resource":{"name":"n","class":"upstart","type":"t","params":{}}}"#,
            "unknown resource class 'upstart'"
        ),
        (
            "request",
            #"{"v":1,"id":"x","action":"start","resource":{"name":"n","class":"systemd","type":"../../bin/sh","params":{}}}"#,
            "resource type '../../bin/sh' is not a plain name"
        ),
        (
            "request",
            #"{"v":1,"id":"x","action":"start","resource":{"name":"n","class":"ocf","type":"apache","provider":"../..","params":{}}}"#,
            "ocf type or provider is not a plain name"
        ),
        (
            "request",
            #"{"v":1,"id":"x","action":"start","resource":{"name":"n","class":"ocf","type":"apache","provider":"","params":{}}}"#,
            "ocf type or provider is not a plain name"
        ),
        (
            "request", #"{"v":1,"id":"x","action":"start","resource":{"name":"n","class":"exec","type":"t","params":{}}}"#,
            "exec resource 'n' without commands"
        ),
        (
            "request", #"{"v":1,"id":"x","action":"start","resource":{"name":"n","class":"exec","params":{}}}"#,
            "missing field 'resource.type'"
        ),
        ("reply", #"{"v":1,"id":"x","code":999,"output":""}"#, "reply code 999 is not an exit code"),
    ]

    @Test(arguments: malformed.indices) func malformedMessagesAreRejectedWithAReason(index: Int) {
        let (subject, body, reason) = Self.malformed[index]
        let result = AgentCodec.decode(AMQPMessage(body: body, subject: subject))
        #expect(throws: MalformedAgentMessage(reason)) { try result.get() }
    }

    /// An ocf resource without a provider is run with the default provider (heartbeat) by the
    /// agent, as over ssh; the codec used to refuse it, so the same resource failed only over AMQP.
    @Test func anOCFRequestWithoutAProviderIsAccepted() throws {
        let body = #"{"v":1,"id":"x","action":"start","resource":{"name":"n","class":"ocf","type":"apache","params":{}}}"#
        guard case .request(let request) = try AgentCodec.decode(AMQPMessage(body: body, subject: "request")).get() else {
            Issue.record("not decoded as a request")
            return
        }
        #expect(request.resource.provider == nil)
    }

    @Test func oversizedBodiesAreRejectedBeforeParsing() {
        let body = #"{"v":1,"pad":""# + String(repeating: "x", count: AgentProtocol.maxBodyBytes) + #""}"#
        let result = AgentCodec.decode(AMQPMessage(body: body, subject: "heartbeat"))
        #expect(throws: MalformedAgentMessage("body of \(body.utf8.count) bytes exceeds \(AgentProtocol.maxBodyBytes)")) {
            try result.get()
        }
    }
}
