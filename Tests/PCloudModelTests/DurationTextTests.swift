import Testing
@testable import PCloudModel

@Test func durationsParseInTheFormsPeopleWrite() {
    #expect(DurationText.parse("10s") == .seconds(10))
    #expect(DurationText.parse("2m") == .seconds(120))
    #expect(DurationText.parse("1min") == .seconds(60))
    #expect(DurationText.parse("1m30s") == .seconds(90))
    #expect(DurationText.parse("500ms") == .milliseconds(500))
    #expect(DurationText.parse("30") == .seconds(30))
    #expect(DurationText.parse("1.5") == .milliseconds(1500))
    #expect(DurationText.parse("1h") == .seconds(3600))
}

@Test func nonDurationsAreRejected() {
    for bad in ["", "ten", "10x", "-5", "s", "1m-3s"] {
        #expect(DurationText.parse(bad) == nil, "\(bad) should not parse")
    }
}

@Test func durationsFormatBackToTheirShortestText() {
    #expect(DurationText.format(.seconds(90)) == "1m30s")
    #expect(DurationText.format(.milliseconds(1500)) == "1s500ms")
    #expect(DurationText.format(.zero) == "0s")
    for text in ["10s", "2m", "1h", "500ms", "1m30s"] {
        #expect(DurationText.format(DurationText.parse(text)!) == text)
    }
}
