import ArgumentParser

/// `pcloud-bench`: measurements that are not tests. One subcommand per component, each in its own
/// file; they share the table printer, the size parser and the measured child process runner.
@main
struct PCloudBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pcloud-bench",
        abstract: "Benchmarks for pcloud (release build: swift run -c release pcloud-bench SUBCOMMAND).",
        subcommands: [
            PolicyBench.self, PolicyOne.self, SSHBench.self, AMQPBench.self, AMQPAgents.self, FailoverBench.self, AllBench.self,
        ])
}
