import Testing

@testable import PCloudController

/// The broker passwords cped makes for each deployable's guests go through rabbitmqctl's command
/// line: one beginning with '-' was taken for an option, the user was never made, and every start
/// of that deployable's guests failed ('Invalid options for this command').
struct BrokerPasswordTests {
    @Test func passwordsAreLettersAndDigitsOnlyAndNeverLookLikeAnOption() {
        for _ in 0..<5_000 {
            let password = GuestBrokerUsers.newPassword()
            #expect(password.count == 32)
            #expect(
                password.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) },
                "\(password.count) characters, not all letters and digits")
            if password.hasPrefix("-") { Issue.record("a password begins with '-'") }
        }
    }
}
