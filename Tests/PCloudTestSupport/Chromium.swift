import Foundation

/// Debian's headless Chromium, its WebDriver and Selenium for Debian's python3, as the dashboard's
/// browser tests use them (scripts/setup/browser.sh installs them).
public enum Chromium {
    public static let browser = "/usr/bin/chromium"
    public static let driver = "/usr/bin/chromedriver"
    public static let python = "/usr/bin/python3"

    /// Why a browser test cannot run here, or nil.
    public static var missing: String? {
        if let missing = missingPrerequisite(executables: [browser, driver, python]) { return missing }
        guard (try? runCommand(python, ["-c", "import selenium"]))?.status == 0 else {
            return "Selenium is not installed for \(python) (run scripts/setup/browser.sh: python3-selenium)"
        }
        return nil
    }
}
