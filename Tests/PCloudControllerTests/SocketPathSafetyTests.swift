import Foundation
import PCloudTestSupport
import Testing

/// `--socket PATH` removes only a stale socket at PATH; a directory or a regular file there is
/// refused, named, and left exactly as it was.
struct SocketPathSafetyTests {
    final class Scratch {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cped-socket-\(UUID().uuidString.prefix(8))")
        init() throws { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        func cped(socket: String) throws -> (status: Int32, output: String) {
            try runCommand(
                BuiltProducts.path("cped"),
                [
                    "--config", path("none.yaml"), "--socket", socket, "--store", path("store/pcloud.sqlite"),
                    "--definitions", BuiltProducts.packageRoot.path,
                ])
        }
    }

    @Test func aDirectoryAtTheSocketPathIsRefusedAndKept() throws {
        let scratch = try Scratch()
        let directory = scratch.path("precious")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "keep me\n".write(toFile: directory + "/notes.txt", atomically: true, encoding: .utf8)
        let result = try scratch.cped(socket: directory)
        #expect(result.status != 0)
        #expect(
            result.output.contains("socket \(directory): there is a directory at that path; cped removes only a stale socket there"),
            "\(result.output)")
        #expect(try String(contentsOfFile: directory + "/notes.txt", encoding: .utf8) == "keep me\n")
    }

    @Test func aRegularFileAtTheSocketPathIsRefusedAndKept() throws {
        let scratch = try Scratch()
        let file = scratch.path("precious.txt")
        try "keep me too\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try scratch.cped(socket: file)
        #expect(result.status != 0)
        #expect(result.output.contains("socket \(file): there is a regular file at that path"), "\(result.output)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep me too\n")
    }

    @Test func aStaleSocketIsReplaced() async throws {
        let scratch = try Scratch()
        let socketPath = scratch.path("cped.sock")
        // A socket nobody listens on any more (its process died without removing it).
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        try #require(bound == 0)
        let cped = try ManagedProcess(
            "cped", executable: BuiltProducts.path("cped"),
            arguments: [
                "--config", scratch.path("none.yaml"), "--socket", socketPath, "--store", scratch.path("store/pcloud.sqlite"),
                "--definitions", BuiltProducts.packageRoot.path,
            ])
        defer { cped.stop() }
        #expect(waitUntil(timeout: 30) { cped.logText().contains("API listening") || !cped.isRunning }, "\(cped.logText())")
        #expect(try await APIClient.unix(socketPath).call(.GET, "/v1/health").status == 200, "\(cped.logText())")
    }
}
