import PCloudModel
import PCloudSSH

/// A resource operation (`ResourceInvocation`) rendered for the guest's shell over ssh:
/// `env NAME=VALUE... PROGRAM ARGS...` with every word quoted, so each value arrives as one word
/// whatever quotes, `$`, backquotes, spaces or newlines it holds. The argv, environment and exit
/// codes are the invocation's, the same the agent uses.
public struct ResourceCommand: Sendable, Hashable {
    public let invocation: ResourceInvocation

    /// The command for `action` on `resource`; nil when the resource has no way to do it (an exec
    /// resource without a start or stop command).
    public init?(
        _ action: ResourceAction, resource: Resource, parameters: [String: String],
        ocfRoot: String = ResourceInvocation.ocfRoot
    ) {
        guard let invocation = try? ResourceInvocation(action, resource: resource, parameters: parameters, ocfRoot: ocfRoot)
        else {
            return nil
        }
        self.invocation = invocation
    }

    public init(_ invocation: ResourceInvocation) { self.invocation = invocation }

    /// The command line for the guest's shell; every value in it is quoted.
    public var command: String {
        let words = invocation.environment.isEmpty ? invocation.arguments : ["env"] + invocation.assignments + invocation.arguments
        return ShellQuote.command(words)
    }

    /// The OCF code for the command's exit status.
    public func code(forExitStatus status: Int32) -> OCFExitCode { invocation.code(forExitStatus: status) }
}
