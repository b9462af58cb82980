import Foundation
import Hummingbird
import NIOCore

/// The dashboard's HTML, CSS and JavaScript: package resources (Sources/PCloudController/
/// DashboardFiles), read once from the resource bundle SwiftPM puts next to cped, or from
/// /usr/share/pcloud/dashboard for an installed cped.
struct DashboardFiles: Sendable {
    static let bundleName = "pcloud_PCloudController.resources"
    static let installed = "/usr/share/pcloud/dashboard"

    struct File: Sendable {
        var body: ByteBuffer
        var contentType: String
    }

    let files: [String: File]
    /// Where the files were looked for when none was found (for the 503 that says so).
    let searched: [String]

    static let contentTypes = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "svg": "image/svg+xml",
    ]

    init(executable: URL? = Bundle.main.executableURL) {
        let besideExecutable = executable.map {
            $0.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(Self.bundleName)
                .appendingPathComponent("DashboardFiles").path
        }
        searched = [besideExecutable, Self.installed].compactMap { $0 }
        var files: [String: File] = [:]
        for directory in searched {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for name in names {
                guard let type = Self.contentTypes[(name as NSString).pathExtension],
                    let data = FileManager.default.contents(atPath: directory + "/" + name)
                else { continue }
                files[name] = File(body: ByteBuffer(bytes: data), contentType: type)
            }
            if !files.isEmpty { break }
        }
        self.files = files
    }

    func response(_ name: String) throws -> Response {
        guard !files.isEmpty else {
            throw APIError(
                .serviceUnavailable, "the dashboard's files are not installed (looked in \(searched.joined(separator: ", ")))")
        }
        guard let file = files[name] else { throw APIError(.notFound, "no such dashboard file: \(name)", field: "path") }
        return Response(
            status: .ok, headers: [.contentType: file.contentType], body: ResponseBody(byteBuffer: file.body))
    }
}
