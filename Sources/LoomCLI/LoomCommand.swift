import ArgumentParser
import LoomArgumentParser
import LoomCompute
import LoomConfiguration
import LoomSystem

/// `loom`: inspect and exercise a Loom runtime. Each subcommand lives in its own file; add new ones
/// to `subcommands`.
@main
struct LoomCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loom",
        abstract: "Inspect and exercise a Loom runtime: two pinned thread pools, one for async work, one for compute.",
        subcommands: [DemoCommand.self, InfoCommand.self, TopCommand.self]
    )
}
