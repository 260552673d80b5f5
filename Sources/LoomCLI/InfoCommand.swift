import ArgumentParser
import Foundation
import Loom
import LoomArgumentParser
import LoomCompute
import LoomConfiguration
import LoomSystem

/// `loom info [--json] [LoomArguments…]`: resolves the configuration as
/// `LoomBuilder().file(--loom-config).envPrefix("LOOM").withCLIArgs(…)` would, without starting threads, and
/// prints it. Warnings go to standard error; a bad value exits with code 1 and the error on standard error.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the resolved configuration, the source of each value, and which thread runs on which CPU.",
        discussion: """
            Resolves the configuration as a program using LoomBuilder().envPrefix("LOOM").withCLIArgs(...) would, \
            without starting any thread: the --loom-config file, then the LOOM_* environment variables \
            (LOOM_PREFIX, LOOM_CPUSET, LOOM_ASYNC_THREADS, LOOM_COMPUTE_THREADS, LOOM_PIN_THREADS, \
            LOOM_COMPUTE_POOL_SIZE, LOOM_CUDA_DEVICE, LOOM_WATCHDOG, LOOM_BLOCKING_THREADS, LOOM_STATISTICS, \
            LOOM_METRICS_INTERVAL, LOOM_CONSOLE, LOOM_SHARE_ASYNC_CPUS), then the flags. Warnings go to standard error. \
            Exit code 1 for a bad value, 64 for a flag that does not parse.
            """
    )

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(
        name: .customLong("list-gpus"),
        help: "List the NVIDIA GPUs (NVML index order) with the CPUs local to each, then exit."
    )
    var listGPUs = false

    @OptionGroup(title: "Loom runtime options")
    var loom: LoomArguments

    func run() throws {
        if self.listGPUs { return try self.listGPUsAndExit() }
        let configuration: LoomConfiguration
        do {
            configuration = try LoomBuilder().envPrefix("LOOM").withCLIArgs(self.loom).resolve()
        } catch {
            StandardError.write("error: \(error.description)")
            throw ExitCode(1)
        }
        for warning in configuration.warnings { StandardError.write("warning: \(warning)") }
        print(self.json ? configuration.infoJSON : configuration.infoText)
    }
}

extension InfoCommand {
    private func listGPUsAndExit() throws {
        do {
            let (devices, diagnostics) = try GPULocator.list(context: .process())
            for diagnostic in diagnostics { StandardError.write("warning: \(diagnostic.message)") }
            print(GPUDevice.listing(devices, json: self.json))
        } catch  where error.code == .cudaUnavailable {
            // No GPU is a valid answer to "which GPUs are there": an empty list, with what was tried on stderr.
            StandardError.write("note: \(error.description)")
            print(GPUDevice.listing([], json: self.json))
        } catch {
            StandardError.write("error: \(error.description)")
            throw ExitCode(1)
        }
    }
}

enum StandardError {
    static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
