import PCloudAMQP
import Testing

@Suite struct ProtonMessageTests {
    @Test func messageSurvivesEncodeAndDecodeWithPnMessage() throws {
        let message = AMQPMessage(
            body: #"{"v":1,"id":"r-1"}"#, address: "/queue/pcloud.demo.web.requests", subject: "request",
            replyTo: "/topic/demo.web.reply", correlationID: "controller-42", ttlMilliseconds: 5000, userID: "pcloud-demo")
        let bytes = try message.encoded()
        #expect(bytes.count > message.body.utf8.count)
        #expect(try AMQPMessage(decoding: bytes) == message)
    }

    @Test func unicodeAndEmptyBodiesRoundTrip() throws {
        for body in ["", "héllo wörld ✓", String(repeating: "x", count: 100_000)] {
            #expect(try AMQPMessage(decoding: AMQPMessage(body: body).encoded()).body == body)
        }
    }

    @Test func garbageBytesAreAnErrorNotACrash() {
        #expect(throws: AMQPError.self) { try AMQPMessage(decoding: [0x00, 0x53, 0x77, 0xff, 0x01]) }
        #expect(throws: AMQPError.self) { try AMQPMessage(decoding: Array("hello".utf8)) }
    }

    @Test func dataValueRoundTripsThroughPnData() throws {
        let data = ProtonData()
        try data.put(string: "boot-1234")
        let bytes = try data.encode()
        let decoded = ProtonData()
        try decoded.decode(bytes)
        #expect(decoded.firstString() == "boot-1234")
    }

    @Test func backoffDoublesUpToItsCap() {
        let backoff = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(1))
        #expect(
            (0...5).map { backoff.delay(attempt: $0) } == [
                .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1),
            ])
    }
}
