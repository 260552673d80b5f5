import Configuration
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("Configuration precedence")
struct PrecedenceTests {
    /// The six sources, in precedence order (later wins); each sets compute_threads to its own value.
    enum Layer: Int, CaseIterable, Sendable, CustomTestStringConvertible {
        case defaults, file, environment, configReader, code, cli

        var testDescription: String { "\(self)" }

        /// The value this layer gives compute_threads.
        var value: Int { self.rawValue + 1 }

        var kind: LoomConfiguration.Source.Kind {
            switch self {
            case .defaults: .default
            case .file: .file
            case .environment: .environment
            case .configReader, .code: .code
            case .cli: .cli
            }
        }

        func apply(to builder: LoomBuilder, directory: TemporaryDirectory) throws -> LoomBuilder {
            switch self {
            case .defaults:
                return builder
            case .file:
                return builder.file(try directory.write("loom.toml", "compute_threads = \(self.value)\n"))
            case .environment:
                return builder.environment(["LOOM_COMPUTE_THREADS": "\(self.value)"]).envPrefix("LOOM")
            case .configReader:
                let provider = InMemoryProvider(values: [
                    "loom.computeThreads": ConfigValue(.int(self.value), isSecret: false)
                ])
                return builder.configReader(ConfigReader(providers: [provider]))
            case .code:
                return builder.computeThreads(self.value)
            case .cli:
                return builder.withCLIArgs(try LoomArguments.parse(["--loom-compute-threads", "\(self.value)"]))
            }
        }
    }

    @Test(
        "the later source in precedence wins, whatever order the calls come in",
        arguments: Layer.allCases,
        Layer.allCases
    )
    func pair(first: Layer, second: Layer) throws {
        guard first != second else { return }
        let directory = try TemporaryDirectory()
        let builder = try second.apply(to: try first.apply(to: .hermetic(), directory: directory), directory: directory)
        let configuration = try builder.resolve()
        let winner = max(first.rawValue, second.rawValue)
        let expected = Layer(rawValue: winner)!
        // The default is the usable CPUs (8) minus one async thread.
        #expect(configuration.computeThreads == (expected == .defaults ? 7 : expected.value))
        #expect(configuration.source(of: .computeThreads).kind == expected.kind)
        withExtendedLifetime(directory) {}
    }

    @Test("every source describes itself the way error messages do")
    func sourceDescriptions() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("loom.yaml", "prefix: fromfile\n")
        let reader = ConfigReader(providers: [InMemoryProvider(values: ["loom.cpuset": "0-3"])])
        let configuration = try LoomBuilder.hermetic(environment: ["LOOM_ASYNC_THREADS": "2"])
            .file(path)
            .envPrefix("LOOM")
            .configReader(reader)
            .computePoolSize(8)
            .withCLIArgs(try LoomArguments.parse(["--no-loom-pin-threads"]))
            .resolve()
        #expect(configuration.source(of: .prefix).description == "file \(path)")
        #expect(configuration.source(of: .asyncThreads).description == "environment variable LOOM_ASYNC_THREADS")
        #expect(configuration.source(of: .cpuset).description == "ConfigReader key loom.cpuset")
        #expect(configuration.source(of: .cpuset).kind == .code)
        #expect(configuration.source(of: .computePoolSize).description == "code (LoomBuilder.computePoolSize)")
        #expect(configuration.source(of: .pinThreads).description == "flag --no-loom-pin-threads")
        #expect(configuration.source(of: .pinThreads).kind == .cli)
        #expect(
            configuration.source(of: .computeThreads)
                == LoomConfiguration.Source(kind: .default, description: "default")
        )
        #expect(configuration.prefix == "fromfile")
        #expect(configuration.asyncThreads == 2)
        #expect(configuration.cpuset == [0, 1, 2, 3])
        #expect(configuration.computePoolSize == 8)
        #expect(configuration.pinThreads == false)
        // Default compute threads: the usable CPUs (the cpuset, 4) minus the async threads (2).
        #expect(configuration.computeThreads == 2)
    }

    @Test("files are read in the order given; the later one wins")
    func fileOrder() throws {
        let directory = try TemporaryDirectory()
        let first = try directory.write("a.toml", "compute_threads = 2\nprefix = \"first\"\n")
        let second = try directory.write("b.json", #"{"compute_threads": 3}"#)
        let configuration = try LoomBuilder.hermetic().file(first).file(second).resolve()
        #expect(configuration.computeThreads == 3)
        #expect(configuration.source(of: .computeThreads).description == "file \(second)")
        #expect(configuration.prefix == "first")
    }

    @Test("the --loom-config file is a file layer: below the environment, after the builder's files")
    func cliConfigFile() throws {
        let directory = try TemporaryDirectory()
        let builderFile = try directory.write("a.toml", "compute_threads = 2\nasync_threads = 2\n")
        let flagFile = try directory.write("b.yaml", "compute_threads: 3\n")
        let arguments = try LoomArguments.parse(["--loom-config", flagFile])
        let configuration = try LoomBuilder.hermetic(environment: ["LOOM_ASYNC_THREADS": "3"])
            .withCLIArgs(arguments)
            .file(builderFile)
            .envPrefix("LOOM")
            .resolve()
        #expect(configuration.computeThreads == 3)
        #expect(configuration.source(of: .computeThreads) == .file(flagFile))
        #expect(configuration.asyncThreads == 3)
        #expect(configuration.source(of: .asyncThreads).kind == .environment)
    }

    @Test("a setter called twice keeps the last value")
    func setterTwice() throws {
        let configuration = try LoomBuilder.hermetic().prefix("a").prefix("b").resolve()
        #expect(configuration.prefix == "b")
    }

    @Test("the builder is a value: a copy is not changed by later calls on the original")
    func valueSemantics() throws {
        let base = LoomBuilder.hermetic().asyncThreads(2)
        _ = base.asyncThreads(3)
        #expect(try base.resolve().asyncThreads == 2)
    }

    @Test("defaults: prefix loom, one async thread, the rest compute, pinned, pool size 64, no GPU")
    func defaults() throws {
        let configuration = try LoomBuilder.hermetic().resolve()
        #expect(configuration.prefix == "loom")
        #expect(configuration.cpuset == nil)
        #expect(configuration.asyncThreads == 1)
        #expect(configuration.computeThreads == 7)
        #expect(configuration.pinThreads)
        #expect(configuration.computePoolSize == 64)
        #expect(configuration.cudaDevice == nil)
        #expect(configuration.gpu == nil)
        #expect(configuration.allowedCPUs == CPUSet(0...7))
        #expect(configuration.usableCPUs == CPUSet(0...7))
        #expect(configuration.asyncCPUs == [0])
        #expect(configuration.computeCPUs == CPUSet(1...7))
        #expect(configuration.threads.count == 8)
        #expect(configuration.warnings.isEmpty)
        #expect(LoomConfiguration.Key.allCases.allSatisfy { configuration.source(of: $0).kind == .default })
        #expect(configuration.plan.threads == configuration.threads)
    }

    @Test("without envPrefix the environment is not read")
    func environmentNotRead() throws {
        let configuration = try LoomBuilder.hermetic(environment: ["LOOM_COMPUTE_THREADS": "3"]).resolve()
        #expect(configuration.computeThreads == 7)
    }

    @Test("one CPU: one async and one compute thread share it, with a warning")
    func oneCPU() throws {
        let configuration = try LoomBuilder.hermetic(allowed: [0]).resolve()
        #expect(configuration.computeThreads == 1)
        #expect(configuration.asyncCPUs == [0])
        #expect(configuration.computeCPUs == [0])
        #expect(configuration.warnings.count == 1)
    }

    @Test("more threads than CPUs is not an error: one warning")
    func oversubscribed() throws {
        let configuration = try LoomBuilder.hermetic(allowed: [0, 1]).asyncThreads(2).computeThreads(6).resolve()
        #expect(configuration.asyncCPUs == [0])
        #expect(configuration.computeCPUs == [1])
        #expect(configuration.warnings.count == 1)
    }
}
