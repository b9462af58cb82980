/// What a remote command did: exit status (or signal) and its bounded output.
public struct SSHExecResult: Sendable, Hashable {
    public var exitStatus: Int32
    /// The signal that ended the command (`TERM`, `KILL`), when one did.
    public var exitSignal: String?
    public var stdout: String
    public var stderr: String
    /// True when the command wrote more than the capture limit (the rest was read and dropped).
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
}
