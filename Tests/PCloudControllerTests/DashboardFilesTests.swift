import Foundation
import PCloudTestSupport
import Testing

@testable import PCloudController

/// The dashboard's files come from the resource bundle next to cped; without them the page says
/// where it looked instead of cped failing to start.
@Test func theDashboardFilesAreReadFromTheBundleBesideCped() throws {
    let files = DashboardFiles(executable: URL(fileURLWithPath: BuiltProducts.path("cped")))
    #expect(Set(files.files.keys).isSuperset(of: ["index.html", "dashboard.js", "dashboard.css", "icon.svg"]))
    #expect(files.files["dashboard.js"]?.contentType == "text/javascript; charset=utf-8")
    #expect(throws: Never.self) { try files.response("index.html") }
}

@Test func missingDashboardFilesAnswer503NamingWhereTheyWereLookedFor() throws {
    try #require(!FileManager.default.fileExists(atPath: DashboardFiles.installed), "an installed dashboard is found first")
    let files = DashboardFiles(executable: URL(fileURLWithPath: "/nonexistent/bin/cped"))
    let error = try #require(throws: APIError.self) { try files.response("index.html") }
    #expect(error.status == .serviceUnavailable)
    #expect(error.message.contains("/nonexistent/bin/pcloud_PCloudController.resources/DashboardFiles"), "\(error.message)")
    #expect(error.message.contains(DashboardFiles.installed))
}
