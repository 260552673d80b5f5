import ArgumentParser
import Foundation
import Loom
import LoomArgumentParser
import LoomCompute
import LoomConfiguration
import LoomSystem

/// `loom demo [LoomArguments…] [--hold <seconds>]`: builds a runtime exactly as `loom info` resolves it and runs a
/// short real pipeline through spawnAsync, computeMap, spawnCompute and install with parallel operations, printing
/// which thread ran each step. `--hold` keeps the threads alive that long (for `ps`, `top`, `/proc`) before
/// `blockUntilIdle()`.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a runtime and run a short pipeline through every entry point, showing which thread ran what.",
        discussion: """
            The runtime is configured exactly as `loom info` shows: the --loom-config file, then LOOM_* environment \
            variables, then the flags. With --hold N the runtime's threads stay alive N seconds after the pipeline \
            (look at them with `ps -L`, `top -H` or /proc/<pid>/task/*/comm), then the runtime shuts down.
            """
    )

    @Option(
        help: ArgumentHelp(
            "Keep the runtime's threads alive this many seconds before shutting down.",
            valueName: "seconds"
        )
    )
    var hold: Double = 0

    @OptionGroup(title: "Loom runtime options")
    var loom: LoomArguments

    func validate() throws {
        guard self.hold >= 0, self.hold.isFinite else {
            throw ValidationError("--hold needs a number of seconds >= 0, not \(self.hold).")
        }
    }

    func run() throws {
        let runtime: LoomRuntime
        do {
            runtime = try LoomBuilder().envPrefix("LOOM").withCLIArgs(self.loom).build()
        } catch {
            StandardError.write("error: \(error.description)")
            throw ExitCode(1)
        }
        defer { runtime.close() }
        let report = try LoomDemo.run(on: runtime)
        print(LoomDemo.render(report, runtime: runtime))
        if self.hold > 0 {
            print(
                "\nholding the runtime's threads for \(self.hold) s (pid \(ProcessInfo.processInfo.processIdentifier))"
            )
            // Flush stdout so watchers (scripts/check-demo-threads.sh) see the line while the threads are held.
            fflush(nil)
            Thread.sleep(forTimeInterval: self.hold)
        }
        runtime.blockUntilIdle()
        if report.checksum != report.expectedChecksum { throw ExitCode(2) }
    }
}
