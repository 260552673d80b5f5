// Layered configuration in a command-line program: a file, LOOM_* environment variables, code, and --loom-* flags.
// swift run Configured --loom-compute-threads 3
// LOOM_ASYNC_THREADS=2 swift run Configured --loom-config loom.toml
import ArgumentParser
import Loom
import LoomArgumentParser

@main
struct Configured: ParsableCommand {
    @OptionGroup(title: "Loom runtime options")
    var loom: LoomArguments

    func run() throws {
        let runtime = try LoomBuilder()
            .file("loom.toml", required: false)  // skipped when absent
            .envPrefix("LOOM")  // LOOM_COMPUTE_THREADS, LOOM_CPUSET, ...
            .prefix("configured")  // code beats files and environment
            .withCLIArgs(self.loom)  // flags beat everything
            .build()
        let configuration = runtime.configuration
        for key in LoomConfiguration.Key.allCases {
            print(key.rawValue, "from", configuration.source(of: key).kind.rawValue)
        }
        print(runtime)
        runtime.close()
    }
}
