import Glibc

/// PCLOUD_SSH_TRACE=1 prints every session's state changes (and, on request, a dump of every
/// session) to stderr: for diagnosing stalls at scale.
let sshTrace = getenv("PCLOUD_SSH_TRACE") != nil

func traceLine(_ text: String) {
    let line = text.hasSuffix("\n") ? text : text + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}
