import PCloudAMQP
import PCloudModel
import PCloudMonitor
import PCloudTestSupport

@testable import PCloudAgentMonitor
@testable import pcloud_agent

/// One resource operation as each monitoring method prepares it from the same definition: ssh as
/// `SSHMonitor.run` does, the agent as the controller's request reaches it over the wire (encoded,
/// decoded and validated by `AgentCodec`) and `Agent.serve` builds it.
struct BothMethods {
    let ssh: PCloudMonitor.ResourceCommand
    let agent: pcloud_agent.ResourceCommand

    init(
        _ action: ResourceAction, _ resource: Resource, parameters: [String: String],
        ocfRoot: String = ResourceInvocation.ocfRoot
    ) throws {
        guard let ssh = PCloudMonitor.ResourceCommand(action, resource: resource, parameters: parameters, ocfRoot: ocfRoot)
        else { throw Unbuilt("ssh has no command for \(action) of \(resource.name)") }
        self.ssh = ssh
        let request = AgentMonitor.request(
            action, resource: resource, parameters: parameters, on: GuestName(deployable: "d", assembly: "a"),
            timeout: .seconds(20))
        guard case .request(let received) = try AgentCodec.decode(AgentCodec.encode(.request(request))).get() else {
            throw Unbuilt("the request did not arrive as a request")
        }
        guard let receivedAction = ResourceAction(rawValue: received.action) else { throw Unbuilt("no action") }
        agent = try pcloud_agent.ResourceCommand.build(
            received.resource, action: receivedAction, monitorInterval: received.monitorInterval, ocfRoot: ocfRoot)
    }

    /// The words the guest's shell makes of ssh's command line (a real `/bin/sh` parses it as
    /// printf's arguments, so nothing in it runs).
    func sshWords() throws -> [String] {
        let (status, output) = try runCommand("/bin/sh", ["-c", "printf '%s\\0' " + ssh.command])
        guard status == 0 else { throw Unbuilt("sh could not parse \(ssh.command): \(output)") }
        return output.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    struct Unbuilt: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
