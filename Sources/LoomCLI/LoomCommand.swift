import ArgumentParser
import Loom

@main
struct LoomCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loom",
        abstract: "Inspect and exercise a Loom runtime: two pinned thread pools, one for async work, one for compute."
    )

    func run() throws {
        print("allowed CPUs: \(try CPUSet.allowed())")
    }
}
