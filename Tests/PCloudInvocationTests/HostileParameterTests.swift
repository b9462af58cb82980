import Foundation
import PCloudModel
import PCloudTestSupport
import Testing

@testable import pcloud_agent

/// Parameter values that a shell would split, expand or run, carried by both methods into a real
/// program: ssh's command line run by a real `/bin/sh` (what the guest's sshd does with it), the
/// agent's argv run by the agent's own `CommandRunner`. The program sees the same argv and the
/// same OCF environment both ways, each value exactly as given, and both read its exit the same.
@Suite struct HostileParameterTests {
    static let hostile: [String: String] = [
        "quote": "it's \"quoted\" ''",
        "dollar": "$HOME ${PATH} $(id -u) $$ $1",
        "backtick": "`uname -a`",
        "newline": "line one\nline two\n",
        "spaces": "  two  spaces\tand a tab  ",
        "empty": "",
        "glob": "* ? [ab] ~",
        "backslash": "back\\slash \\n \\",
        "separators": "a; b && c | d > /tmp/pcloud-invocation-should-not-exist &",
        "option": "-n",
        "equals": "a=b=c",
        "unicode": "grüße 漢字 🙂",
    ]

    /// Writes what the program was run with: its argv (from /proc, so the shell's own view of it)
    /// and its environment, NUL-separated, into `$OCF_RESKEY_out`.
    static let record = """
        cat /proc/$$/cmdline > "$OCF_RESKEY_out/argv"
        env -0 > "$OCF_RESKEY_out/env"
        """

    /// A scratch OCF root whose own path needs quoting, with one agent that records and says
    /// "not running".
    struct Scratch {
        let root: URL
        let out: URL

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("pcloud invocation 'it's' \(UUID().uuidString)")
            out = root.appendingPathComponent("out $x")
            let agents = root.appendingPathComponent("resource.d/heartbeat")
            try FileManager.default.createDirectory(at: agents, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let agent = agents.appendingPathComponent("Recorder")
            try "#!/bin/sh\n\(HostileParameterTests.record)\nexit 7\n".write(to: agent, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: agent.path)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }

        /// What the last program recorded, and forgets it: argv, and the OCF_* variables.
        func take() throws -> (argv: [String], environment: [String: String]) {
            func fields(_ name: String) throws -> [String] {
                let data = try Data(contentsOf: out.appendingPathComponent(name))
                try FileManager.default.removeItem(at: out.appendingPathComponent(name))
                return String(decoding: data, as: UTF8.self).split(separator: "\0", omittingEmptySubsequences: false)
                    .dropLast().map(String.init)
            }
            var environment: [String: String] = [:]
            for assignment in try fields("env") where assignment.hasPrefix("OCF_") {
                guard let equals = assignment.firstIndex(of: "=") else { continue }
                environment[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
            }
            return (try fields("argv"), environment)
        }
    }

    static let resources: [Resource] = [
        Resource(name: "rec 'a' $b", resourceClass: .ocf, type: "Recorder", provider: "heartbeat"),
        Resource(
            name: "rec 'a' $b", resourceClass: .exec, type: "",
            commands: ExecCommands(monitor: "# it's \"odd\" $HOME `uname` \\ ; | & * ~\n\(record)\nexit 5\n")),
    ]

    @Test(arguments: resources)
    func sshsShellAndTheAgentsArgvRunTheSameProgramWithTheSameValues(_ resource: Resource) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let parameters = Self.hostile.merging(["out": scratch.out.path]) { $1 }
        let both = try BothMethods(.monitor, resource, parameters: parameters, ocfRoot: scratch.root.path)

        let (status, output) = try runCommand("/bin/sh", ["-c", both.ssh.command])
        let overSSH = try scratch.take()
        let (agentCode, agentOutput) = await CommandRunner.run(both.agent, timeout: .seconds(30))
        let overAgent = try scratch.take()

        let program =
            resource.resourceClass == .ocf
            ? ["/bin/sh", scratch.root.path + "/resource.d/heartbeat/Recorder", "monitor"]
            : ["/bin/sh", "-c", resource.commands?.monitor ?? ""]
        #expect(overSSH.argv == program)
        #expect(overAgent.argv == program)
        #expect(overSSH.environment == overAgent.environment)
        for (name, value) in parameters {
            #expect(overSSH.environment["OCF_RESKEY_\(name)"] == value, "ssh: \(name)")
            #expect(overAgent.environment["OCF_RESKEY_\(name)"] == value, "agent: \(name)")
        }
        #expect(overSSH.environment["OCF_ROOT"] == scratch.root.path)
        #expect(overSSH.environment["OCF_RESOURCE_INSTANCE"] == resource.name)
        #expect(overSSH.environment["OCF_RESKEY_CRM_meta_interval"] == "10000")

        let expected: OCFExitCode = resource.resourceClass == .ocf ? .notRunning : .unknownError  // exec's 5: soft
        #expect(both.ssh.code(forExitStatus: status) == expected, "ssh exited \(status): \(output)")
        #expect(agentCode == expected, "agent: \(agentOutput)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pcloud-invocation-should-not-exist"))
    }
}
