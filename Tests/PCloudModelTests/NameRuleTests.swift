import Foundation
import Testing
@testable import PCloudModel

@Test func namesOfLettersDigitsDotsUnderscoresAndDashesAreAccepted() {
    for name in ["web", "db1", "my-app_2.0", "9b1d0c4e-8f2a-4c1d-9e3b-7a6f5c4d3e2a", "ClusterIP", String(repeating: "a", count: 63)] {
        #expect(NameRule.problem(name) == nil, "\(name) should be a name")
    }
}

@Test func namesThatCouldBePathsOrWordsOfACommandAreRefused() {
    let bad = [
        "", "../../etc/evil", "a/b", "/etc", ".", "..", ".hidden", "-rf", "_x", "a..b", "my app", "a\nb", "a\tb", "a\u{0}b",
        "é", "aé", "a@b", "a;b", "$(x)", String(repeating: "a", count: 64), String(repeating: "a", count: 100_000),
    ]
    for name in bad {
        #expect(NameRule.problem(name) != nil, "\(NameRule.shown(name)) should not be a name")
    }
}

@Test func aRefusedNameIsShownCutAndWithItsControlCharactersEscaped() throws {
    let long = try #require(NameRule.problem(String(repeating: "a", count: 100_000)))
    #expect(long == "'\(String(repeating: "a", count: 40))…' is too long (100000 characters; at most 63)")
    #expect(NameRule.problem("a\nb")?.hasPrefix("'a\\nb' is not a valid name") == true)
}

@Test func typesMayHoldSystemdInstancesButNeverPaths() {
    #expect(NameRule.agentProblem("getty@tty1.service", allowAt: true) == nil)
    #expect(NameRule.agentProblem("IPaddr2", allowAt: true) == nil)
    #expect(NameRule.agentProblem("getty@tty1", allowAt: false) != nil, "a provider has no '@'")
    for bad in ["../../../bin/sh", "/bin/sh", "a/b", "..", "x..y", ".x", "a b", String(repeating: "a", count: 129)] {
        #expect(NameRule.agentProblem(bad, allowAt: true) != nil, "\(bad) should not be a type")
    }
}
