import Foundation

// pcloud-agent --config /etc/pcloud/agent.json
// Runs in the guest: heartbeats, resource requests and local monitors over AMQP 1.0.
let arguments = CommandLine.arguments
guard let index = arguments.firstIndex(of: "--config"), index + 1 < arguments.count else {
    FileHandle.standardError.write(Data("usage: pcloud-agent --config FILE\n".utf8))
    exit(2)
}
let config: AgentConfig
do {
    config = try AgentConfig.load(arguments[index + 1])
} catch {
    FileHandle.standardError.write(Data("pcloud-agent: bad configuration \(arguments[index + 1]): \(error)\n".utf8))
    exit(1)
}
signal(SIGPIPE, SIG_IGN)
await Agent(config: config).run()
