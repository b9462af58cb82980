import Foundation
import PCloudTestSupport

// pcloud-bench-ssh [--guests N] [--rounds R] [--fork-checks M] [--daemons D] [--interval S --duration T]
// (the `ssh` part of pcloud-bench: to be folded in as `pcloud-bench ssh`.)
var bench = SSHBench()
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard let value = arguments.popFirst().flatMap(Int.init) else {
        FileHandle.standardError.write(
            "usage: pcloud-bench-ssh [--guests N] [--rounds R] [--fork-checks M] [--daemons D] [--interval S --duration T]\n"
                .data(using: .utf8)!)
        exit(2)
    }
    switch flag {
    case "--guests": bench.guests = value
    case "--rounds": bench.rounds = value
    case "--fork-checks": bench.forkChecks = value
    case "--daemons": bench.daemons = value
    case "--interval": bench.interval = value
    case "--duration": bench.duration = value
    default:
        FileHandle.standardError.write("unknown option \(flag)\n".data(using: .utf8)!)
        exit(2)
    }
}
if let missing = SSHDaemon.missing {
    FileHandle.standardError.write("cannot run: \(missing)\n".data(using: .utf8)!)
    exit(1)
}
try await bench.run()
