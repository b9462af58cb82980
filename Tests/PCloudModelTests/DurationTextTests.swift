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

@Test func durationsLongerThanTheMaximumAreRefusedAsTooLongWithoutTrapping() {
    let tooLong = [
        "1e300", "1e19", "1e400", "99999999999999999999d", "9223372036854775807ms", "100000000000000000s",
        "18000000000000000ms", "1.8e16", "365d1ms", "366d", "31536000.001", "8760h1s",
        "200d200d", String(repeating: "9", count: 400), String(repeating: "9", count: 400) + "s",
        "9223372036854775807d9223372036854775807d",
    ]
    for text in tooLong {
        #expect(DurationText.read(text) == .failure(.tooLong), "\(text.prefix(40)) should be too long")
        #expect(DurationText.parse(text) == nil)
    }
}

@Test func theMaximumItselfAndEverythingBelowItParse() {
    #expect(DurationText.maximum == .seconds(31_536_000))
    for text in ["365d", "31536000", "31536000s", "31536000000ms", "8760h", "364d23h59m59s999ms", "1e3", "0.0005"] {
        #expect(DurationText.parse(text) != nil, "\(text) should parse")
    }
    #expect(DurationText.parse("365d") == DurationText.maximum)
    #expect(DurationText.parse("1e3") == .seconds(1000))
    #expect(DurationText.parse("0.0005") == .milliseconds(1))
    #expect(DurationText.parse("0") == .zero)
}

@Test func notANumberInfinityNegativeAndHexAreNotDurations() {
    let texts = [
        "nan", "NaN", "inf", "-inf", "infinity", "+inf", "-1e300", "-0.5", "0x10", "0x1p4", "1e300h5x", "1e300h", "1e19ms", ".",
        "e5", "1..2s",
    ]
    for text in texts {
        #expect(DurationText.read(text) == .failure(.notADuration), "\(text) should not be a duration")
    }
}

@Test func theTooLongMessageStatesTheMaximum() {
    #expect(DurationText.message(.tooLong, text: "1e300") == "'1e300' is too long: a duration is at most 365 days (365d)")
}

@Test func millisecondsOfAHugeDurationSaturateInsteadOfTrapping() {
    let huge = Duration.seconds(Int64.max)
    #expect(huge.milliseconds == Int64.max)
    #expect((Duration.zero - huge).milliseconds == Int64.min)
    #expect(DurationText.format(huge).hasSuffix("ms"))
    #expect(Duration.saturating(seconds: .infinity) == .milliseconds(Int64.max))
    #expect(Duration.saturating(seconds: -.infinity) == .milliseconds(Int64.min))
    #expect(Duration.saturating(seconds: .nan) == .zero)
    #expect(Duration.saturating(seconds: 1.5) == .milliseconds(1500))
}
