import ArgumentParser
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("Command-line flags")
struct CommandLineTests {
    private func resolve(_ arguments: [String]) throws -> LoomConfiguration {
        try LoomBuilder.hermetic().withCLIArgs(try LoomArguments.parse(arguments)).resolve()
    }

    @Test("every flag sets its key with source cli")
    func everyFlag() throws {
        let configuration = try self.resolve([
            "--loom-prefix", "cli", "--loom-cpuset", "0-3", "--loom-async-threads", "2",
            "--loom-compute-threads", "2", "--no-loom-pin-threads", "--loom-cuda-device", "GPU-77",
            "--loom-watchdog", "0.5",
            "--loom-blocking-threads", "7", "--no-loom-statistics", "--loom-metrics-interval", "2.5",
            "--loom-console", "/tmp/x.sock", "--loom-share-async-cpus",
        ])
        #expect(configuration.prefix == "cli")
        #expect(configuration.cpuset == [0, 1, 2, 3])
        #expect(configuration.asyncThreads == 2)
        #expect(configuration.computeThreads == 2)
        #expect(configuration.pinThreads == false)
        #expect(configuration.cudaDevice == .uuid("GPU-77"))
        #expect(configuration.watchdog == .milliseconds(500))
        #expect(configuration.blockingThreads == 7)
        #expect(configuration.statistics == false)
        #expect(configuration.metricsInterval == .milliseconds(2500))
        #expect(configuration.console == "/tmp/x.sock")
        #expect(configuration.shareAsyncCPUs)
        #expect(configuration.source(of: .statistics).description == "flag --no-loom-statistics")
        for key in LoomConfiguration.Key.allCases where key != .computePoolSize {
            #expect(configuration.source(of: key).kind == .cli, "\(key)")
        }
        #expect(configuration.source(of: .computeThreads).description == "flag --loom-compute-threads")
    }

    @Test("--loom-pin-threads turns pinning back on over a lower source")
    func pinOn() throws {
        let configuration = try LoomBuilder.hermetic()
            .pinThreads(false)
            .withCLIArgs(try LoomArguments.parse(["--loom-pin-threads"]))
            .resolve()
        #expect(configuration.pinThreads)
        #expect(configuration.source(of: .pinThreads).description == "flag --loom-pin-threads")
    }

    @Test(
        "the hidden aliases --loom-tokio-threads and --loom-rayon-threads",
        arguments: [
            ("--loom-tokio-threads", LoomConfiguration.Key.asyncThreads), ("--loom-rayon-threads", .computeThreads),
        ]
    )
    func aliases(flag: String, key: LoomConfiguration.Key) throws {
        let configuration = try self.resolve([flag, "3"])
        #expect((key == .asyncThreads ? configuration.asyncThreads : configuration.computeThreads) == 3)
        #expect(configuration.source(of: key).description == "flag \(flag)")
    }

    @Test("the aliases are hidden from help, the other flags are listed")
    func help() {
        let help = LoomArguments.helpMessage()
        #expect(help.contains("--loom-compute-threads"))
        #expect(help.contains("--loom-pin-threads/--no-loom-pin-threads"))
        #expect(help.contains("--loom-config <path>"))
        #expect(!help.contains("tokio"))
        #expect(!help.contains("rayon"))
        #expect(!help.contains("pool-size"))
    }

    @Test("a count that is not an integer is rejected by ArgumentParser itself (exit code 64)")
    func notAnInteger() {
        do {
            _ = try LoomArguments.parse(["--loom-compute-threads", "abc"])
            Issue.record("expected a parse error")
        } catch {
            #expect(LoomArguments.exitCode(for: error) == .validationFailure)
            #expect(LoomArguments.exitCode(for: error).rawValue == 64)
        }
    }

    @Test("no flags: nothing set")
    func noFlags() throws {
        let configuration = try self.resolve([])
        #expect(LoomConfiguration.Key.allCases.allSatisfy { configuration.source(of: $0).kind == .default })
    }
}
