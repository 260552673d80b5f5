import Configuration
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("Configuration errors")
struct ConfigErrorTests {
    // MARK: Files

    @Test("a missing required file names the path and where it came from")
    func missingFile() throws {
        expectLoomError(
            .hermetic().file("/nonexistent/loom.toml"),
            .fileNotFound,
            containing: ["/nonexistent/loom.toml", "code (LoomBuilder.file)", "does not exist"]
        )
        expectLoomError(
            .hermetic().withCLIArgs(try LoomArguments.parse(["--loom-config", "/nonexistent/x.yaml"])),
            .fileNotFound,
            containing: ["/nonexistent/x.yaml", "flag --loom-config"]
        )
    }

    @Test("an unreadable file (a directory) is reported as such")
    func unreadableFile() throws {
        let directory = try TemporaryDirectory()
        try directory.makeFolder("folder.toml")
        expectLoomError(
            .hermetic().file(directory.path + "/folder.toml"),
            .unreadableFile,
            containing: ["folder.toml", "cannot be read"]
        )
    }

    @Test(
        "a malformed file is reported with the parser's line and column",
        arguments: [
            ("bad.toml", "prefix = \"x\"\ncompute_threads = \n", "line 2"),
            ("bad.yaml", "prefix: x\ncompute_threads: [1, 2\n", "line"),
            ("bad.json", "{\"compute_threads\": }", "line 1"),
        ]
    )
    func malformed(name: String, text: String, position: String) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(name, text)
        expectLoomError(.hermetic().file(path), .malformedFile, containing: [path, "is not valid", position])
    }

    @Test("a file whose top level is not a table of keys is malformed")
    func notATable() throws {
        let directory = try TemporaryDirectory()
        for (name, text) in [("a.json", "[1, 2]"), ("b.yaml", "- 1\n- 2\n")] {
            let path = try directory.write(name, text)
            expectLoomError(.hermetic().file(path), .malformedFile, containing: [path, "top level"])
        }
    }

    @Test("an unsupported extension is a malformedFile error naming the path")
    func unknownExtension() throws {
        let directory = try TemporaryDirectory()
        let ini = try directory.write("loom.ini", "compute_threads = 3")
        expectLoomError(.hermetic().file(ini), .malformedFile, containing: [ini, ".ini"])
        let bare = try directory.write("loomrc", "compute_threads = 3")
        expectLoomError(.hermetic().file(bare), .malformedFile, containing: [bare, "no extension"])
    }

    @Test(
        "an unknown key in a file suggests the closest key",
        arguments: [
            ("a.toml", "compute_thread = 4", "compute_thread", "compute_threads"),
            ("b.yaml", "prefix: x\ncomputeThreads: 4\n", "computeThreads", "compute_threads"),
            ("c.json", #"{"rayon_thread": 4}"#, "rayon_thread", "rayon_threads"),
            ("d.toml", "pin = true", "pin", ""),
        ]
    )
    func unknownKey(name: String, text: String, key: String, suggestion: String) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(name, text)
        let expected = suggestion.isEmpty ? "known keys: prefix, cpuset" : "did you mean \"\(suggestion)\"?"
        expectLoomError(.hermetic().file(path), .unknownKey, containing: ["\"\(key)\"", "file \(path)", expected])
    }

    @Test("an unknown key in YAML names its line")
    func unknownKeyLine() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("a.yaml", "prefix: x\n\ncompute_thread: 4\n")
        expectLoomError(.hermetic().file(path), .unknownKey, containing: ["line 3"])
    }

    // MARK: Values

    @Test(
        "a value of the wrong type in a file names the key, file and value",
        arguments: [
            ("a.toml", "compute_threads = \"three\"", "compute_threads", "\"three\"", "found a string"),
            ("b.toml", "pin_threads = \"yes\"", "pin_threads", "\"yes\"", "expected true or false"),
            ("c.json", #"{"async_threads": 2.5}"#, "async_threads", "\"2.5\"", "floating-point"),
            ("d.yaml", "prefix: 12\n", "prefix", "\"12\"", "expected a string"),
            ("e.json", #"{"pin_threads": 1}"#, "pin_threads", "\"1\"", "found an integer"),
            ("f.json", #"{"compute_threads": true}"#, "compute_threads", "\"true\"", "found a boolean"),
            ("g.toml", "cpuset = [0, 1]", "cpuset", "[...]", "found an array"),
            ("h.json", #"{"compute_threads": "4"}"#, "compute_threads", "\"4\"", "found a string"),
        ]
    )
    func wrongType(name: String, text: String, key: String, value: String, reason: String) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(name, text)
        expectLoomError(
            .hermetic().file(path),
            .invalidConfiguration,
            containing: ["for \(key) (file \(path))", value, reason]
        )
    }

    @Test("the environment's bad integer reads as the style guide's example")
    func environmentInteger() {
        do {
            _ = try LoomBuilder.hermetic(environment: ["LOOM_COMPUTE_THREADS": "abc"]).envPrefix("LOOM").resolve()
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description
                    == "Invalid value \"abc\" for compute_threads (environment variable LOOM_COMPUTE_THREADS): "
                    + "expected a positive integer."
            )
            #expect(error.key == "compute_threads")
            #expect(error.value == "abc")
            #expect(error.source == "environment variable LOOM_COMPUTE_THREADS")
            #expect(error.reason == "expected a positive integer")
        }
    }

    /// A builder and the parts its error must name.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let builder: @Sendable () throws -> LoomBuilder
        let code: LoomError.Code
        let parts: [String]
        var testDescription: String { self.name }
    }

    /// Files the table's cases read (kept for the whole run: a case's builder returns before the file is read).
    static let scratch = try! TemporaryDirectory("loom-error-cases")

    static let valueCases: [Case] = [
        Case(
            name: "zero compute threads from the environment",
            builder: { .hermetic(environment: ["LOOM_COMPUTE_THREADS": "0"]).envPrefix("LOOM") },
            code: .invalidConfiguration,
            parts: ["\"0\"", "compute_threads", "environment variable LOOM_COMPUTE_THREADS", "positive integer"]
        ),
        Case(
            name: "negative async threads from the environment",
            builder: { .hermetic(environment: ["LOOM_ASYNC_THREADS": "-2"]).envPrefix("LOOM") },
            code: .invalidConfiguration,
            parts: ["\"-2\"", "async_threads", "environment variable LOOM_ASYNC_THREADS"]
        ),
        Case(
            name: "zero compute threads from a flag",
            builder: { .hermetic().withCLIArgs(try LoomArguments.parse(["--loom-compute-threads", "0"])) },
            code: .invalidConfiguration,
            parts: ["\"0\"", "compute_threads", "flag --loom-compute-threads"]
        ),
        Case(
            name: "negative async threads from a flag",
            builder: { .hermetic().withCLIArgs(try LoomArguments.parse(["--loom-async-threads=-1"])) },
            code: .invalidConfiguration,
            parts: ["\"-1\"", "async_threads", "flag --loom-async-threads"]
        ),
        Case(
            name: "zero compute threads from code",
            builder: { .hermetic().computeThreads(0) },
            code: .invalidConfiguration,
            parts: ["\"0\"", "compute_threads", "code (LoomBuilder.computeThreads)"]
        ),
        Case(
            name: "zero pool size from code",
            builder: { .hermetic().computePoolSize(0) },
            code: .invalidConfiguration,
            parts: ["\"0\"", "compute_pool_size", "code (LoomBuilder.computePoolSize)"]
        ),
        Case(
            name: "negative pool size from the environment",
            builder: { .hermetic(environment: ["LOOM_COMPUTE_POOL_SIZE": "-64"]).envPrefix("LOOM") },
            code: .invalidConfiguration,
            parts: ["\"-64\"", "compute_pool_size", "LOOM_COMPUTE_POOL_SIZE"]
        ),
        Case(
            name: "a boolean the environment cannot read",
            builder: { .hermetic(environment: ["LOOM_PIN_THREADS": "maybe"]).envPrefix("LOOM") },
            code: .invalidConfiguration,
            parts: ["\"maybe\"", "pin_threads", "LOOM_PIN_THREADS", "true or false"]
        ),
        Case(
            name: "an empty prefix from code",
            builder: { .hermetic().prefix("") },
            code: .invalidConfiguration,
            parts: ["\"\"", "for prefix", "code (LoomBuilder.prefix)", "must not be empty"]
        ),
        Case(
            name: "a prefix with a control character from the environment",
            builder: { .hermetic(environment: ["LOOM_PREFIX": "my\napp"]).envPrefix("LOOM") },
            code: .invalidConfiguration,
            parts: ["\"my\\napp\"", "for prefix", "LOOM_PREFIX", "control characters (found U+A)"]
        ),
        Case(
            name: "a cpuset that does not parse, from the environment",
            builder: { .hermetic(environment: ["LOOM_CPUSET": "0-3,x"]).envPrefix("LOOM") },
            code: .invalidCPUSet,
            parts: ["\"0-3,x\"", "for cpuset", "environment variable LOOM_CPUSET", "\"x\" is not a CPU number"]
        ),
        Case(
            name: "a cpuset that does not parse, from a flag",
            builder: { .hermetic().withCLIArgs(try LoomArguments.parse(["--loom-cpuset", "5-3"])) },
            code: .invalidCPUSet,
            parts: ["\"5-3\"", "for cpuset", "flag --loom-cpuset", "ends before it starts"]
        ),
        Case(
            name: "a cpuset outside the allowed CPUs, from code",
            builder: { .hermetic(allowed: CPUSet(0...3)).cpuset("5, 2-4") },
            code: .cpuNotAllowed,
            parts: ["\"5, 2-4\"", "for cpuset", "code (LoomBuilder.cpuset)", "CPUs 4-5 are not", "(0-3)"]
        ),
        Case(
            name: "a negative CUDA ordinal from code",
            builder: { .hermetic().cudaDevice(id: -1) },
            code: .invalidConfiguration,
            parts: ["\"-1\"", "cuda_device", "code (LoomBuilder.cudaDevice(id:))"]
        ),
        Case(
            name: "an empty CUDA UUID from code",
            builder: { .hermetic().cudaDevice(uuid: " ") },
            code: .invalidConfiguration,
            parts: ["cuda_device", "code (LoomBuilder.cudaDevice(uuid:))"]
        ),
        Case(
            name: "four million async threads from a flag",
            builder: { .hermetic().withCLIArgs(try LoomArguments.parse(["--loom-async-threads", "4194304"])) },
            code: .invalidConfiguration,
            parts: ["\"4194304\"", "async_threads", "flag --loom-async-threads", "at most 4096 threads per pool"]
        ),
        Case(
            name: "100 000 compute threads from a file's loom-rs alias",
            builder: {
                .hermetic().file(try Self.scratch.write("big.toml", "rayon_threads = 100000"))
            },
            code: .invalidConfiguration,
            parts: ["\"100000\"", "rayon_threads", "big.toml", "at most 4096"]
        ),
        Case(
            name: "4097 compute threads from code",
            builder: { .hermetic().computeThreads(4097) },
            code: .invalidConfiguration,
            parts: ["\"4097\"", "compute_threads", "code (LoomBuilder.computeThreads)", "at most 4096"]
        ),
        Case(
            name: "a negative watchdog interval from the environment",
            builder: { .hermetic(environment: ["LOOM_WATCHDOG": "-1"]).envPrefix("LOOM") },
            code: .invalidConfiguration,
            parts: ["\"-1\"", "for watchdog", "environment variable LOOM_WATCHDOG", "number of seconds"]
        ),
        Case(
            name: "a watchdog interval that is not a number, from a file",
            builder: {
                .hermetic().file(try Self.scratch.write("w.yaml", "watchdog: soon\n"))
            },
            code: .invalidConfiguration,
            parts: ["\"soon\"", "for watchdog", "w.yaml", "number of seconds"]
        ),
        Case(
            name: "an infinite watchdog interval from a flag",
            builder: { .hermetic().withCLIArgs(try LoomArguments.parse(["--loom-watchdog", "inf"])) },
            code: .invalidConfiguration,
            parts: ["for watchdog", "flag --loom-watchdog", "number of seconds"]
        ),
        Case(
            name: "statistics that is not a boolean, from the environment",
            builder: { .hermetic(environment: ["LOOM_STATISTICS": "maybe"]).envPrefix("LOOM") },
            code: .invalidConfiguration,
            parts: ["\"maybe\"", "for statistics", "environment variable LOOM_STATISTICS", "true or false"]
        ),
        Case(
            name: "a negative metrics interval from a flag",
            builder: { .hermetic().withCLIArgs(try LoomArguments.parse(["--loom-metrics-interval=-2"])) },
            code: .invalidConfiguration,
            parts: ["\"-2.0\"", "metrics_interval", "flag --loom-metrics-interval", "number of seconds"]
        ),
        Case(
            name: "a console path that is a number, from a file",
            builder: { .hermetic().file(try Self.scratch.write("c.toml", "console = 7")) },
            code: .invalidConfiguration,
            parts: ["\"7\"", "for console", "c.toml", "path of a Unix socket"]
        ),
        Case(
            name: "an overridden bad value is still reported",
            builder: { .hermetic(environment: ["LOOM_COMPUTE_THREADS": "x"]).envPrefix("LOOM").computeThreads(3) },
            code: .invalidConfiguration,
            parts: ["\"x\"", "LOOM_COMPUTE_THREADS"]
        ),
        Case(
            name: "a ConfigReader value of the wrong kind",
            builder: {
                let provider = InMemoryProvider(values: ["loom.computeThreads": "many"])
                return .hermetic().configReader(ConfigReader(providers: [provider]))
            },
            code: .invalidConfiguration,
            parts: ["\"many\"", "compute_threads", "ConfigReader key loom.computeThreads"]
        ),
    ]

    @Test("every bad value names its key, source and value", arguments: valueCases)
    func badValue(_ testCase: Case) throws {
        expectLoomError(try testCase.builder(), testCase.code, containing: testCase.parts)
    }

    // MARK: Aliases

    @Test("a key and its alias in one file is an error")
    func aliasConflictFile() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("a.toml", "compute_threads = 3\nrayon_threads = 4\n")
        expectLoomError(
            .hermetic().file(path),
            .invalidConfiguration,
            containing: ["compute_threads = 3", "rayon_threads = 4", "file \(path)", "keep one"]
        )
    }

    @Test("a key and its alias in the environment is an error")
    func aliasConflictEnvironment() {
        let environment = ["LOOM_ASYNC_THREADS": "1", "LOOM_TOKIO_THREADS": "2"]
        expectLoomError(
            .hermetic(environment: environment).envPrefix("LOOM"),
            .invalidConfiguration,
            containing: ["async_threads = 1", "LOOM_ASYNC_THREADS", "tokio_threads = 2", "LOOM_TOKIO_THREADS"]
        )
    }

    @Test("a flag and its hidden alias together is an error")
    func aliasConflictFlags() throws {
        let arguments = try LoomArguments.parse(["--loom-compute-threads", "2", "--loom-rayon-threads", "3"])
        expectLoomError(
            .hermetic().withCLIArgs(arguments),
            .invalidConfiguration,
            containing: ["flag --loom-compute-threads", "flag --loom-rayon-threads"]
        )
    }

    @Test("a key in one source and its alias in another is not a conflict: precedence decides")
    func aliasAcrossSources() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("a.toml", "rayon_threads = 4\n")
        let configuration = try LoomBuilder.hermetic(environment: ["LOOM_COMPUTE_THREADS": "5"])
            .file(path)
            .envPrefix("LOOM")
            .resolve()
        #expect(configuration.computeThreads == 5)
    }
}
