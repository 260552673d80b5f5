import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("Environment variables")
struct EnvironmentTests {
    private func resolve(_ environment: [String: String], prefix: String = "LOOM") throws -> LoomConfiguration {
        try LoomBuilder.hermetic(environment: environment).envPrefix(prefix).resolve()
    }

    @Test("every key has its variable")
    func everyKey() throws {
        let configuration = try self.resolve([
            "LOOM_PREFIX": "env",
            "LOOM_CPUSET": "2-5",
            "LOOM_ASYNC_THREADS": " 2 ",
            "LOOM_COMPUTE_THREADS": "2",
            "LOOM_PIN_THREADS": "off",
            "LOOM_COMPUTE_POOL_SIZE": "32",
            "LOOM_CUDA_DEVICE": "3",
            "LOOM_WATCHDOG": "10",
            "LOOM_BLOCKING_THREADS": "6",
            "LOOM_STATISTICS": "no",
            "LOOM_METRICS_INTERVAL": "0",
            "LOOM_CONSOLE": "/tmp/env.sock",
            "LOOM_SHARE_ASYNC_CPUS": "yes",
        ])
        #expect(configuration.prefix == "env")
        #expect(configuration.cpuset == [2, 3, 4, 5])
        #expect(configuration.asyncThreads == 2)
        #expect(configuration.computeThreads == 2)
        #expect(configuration.pinThreads == false)
        #expect(configuration.computePoolSize == 32)
        #expect(configuration.cudaDevice == .ordinal(3))
        #expect(configuration.watchdog == .seconds(10))
        #expect(configuration.blockingThreads == 6)
        #expect(configuration.statistics == false)
        #expect(configuration.metricsInterval == nil, "0 turns reporting off")
        #expect(configuration.console == "/tmp/env.sock")
        #expect(configuration.shareAsyncCPUs)
        #expect(LoomConfiguration.Key.allCases.allSatisfy { configuration.source(of: $0).kind == .environment })
    }

    @Test(
        "booleans read true/false/1/0/yes/no/on/off in any case",
        arguments: [
            ("true", true), ("TRUE", true), ("1", true), ("yes", true), ("Yes", true), ("on", true), ("ON", true),
            ("false", false), ("False", false), ("0", false), ("no", false), ("NO", false), ("off", false),
            ("Off", false),
        ]
    )
    func booleans(text: String, value: Bool) throws {
        #expect(try self.resolve(["LOOM_PIN_THREADS": text]).pinThreads == value)
    }

    @Test(
        "aliases: LOOM_TOKIO_THREADS and LOOM_RAYON_THREADS",
        arguments: [
            ("LOOM_TOKIO_THREADS", LoomConfiguration.Key.asyncThreads), ("LOOM_RAYON_THREADS", .computeThreads),
        ]
    )
    func aliases(variable: String, key: LoomConfiguration.Key) throws {
        let configuration = try self.resolve([variable: "3"])
        let value = key == .asyncThreads ? configuration.asyncThreads : configuration.computeThreads
        #expect(value == 3)
        #expect(configuration.source(of: key).description == "environment variable \(variable)")
    }

    @Test("a UUID is a UUID, a number an ordinal")
    func cudaDevice() throws {
        #expect(try self.resolve(["LOOM_CUDA_DEVICE": "GPU-1234"]).cudaDevice == .uuid("GPU-1234"))
        #expect(try self.resolve(["LOOM_CUDA_DEVICE": "MIG-9"]).cudaDevice == .uuid("MIG-9"))
        #expect(try self.resolve(["LOOM_CUDA_DEVICE": "0"]).cudaDevice == .ordinal(0))
    }

    @Test("an unknown LOOM_ variable is a warning with a suggestion, not an error")
    func typoWarning() throws {
        let configuration = try self.resolve(["LOOM_COMPUTE_THREAD": "3"])
        #expect(configuration.computeThreads == 7)
        #expect(
            configuration.warnings == [
                "Environment variable LOOM_COMPUTE_THREAD is not a Loom setting and is ignored; did you mean "
                    + "LOOM_COMPUTE_THREADS?"
            ]
        )
    }

    @Test("an unknown variable far from every key lists the known ones")
    func unknownWithoutSuggestion() throws {
        let configuration = try self.resolve(["LOOM_ZQXJ": "blue"])
        let warning = try #require(configuration.warnings.first)
        #expect(warning.contains("LOOM_ZQXJ is not a Loom setting"))
        #expect(warning.contains("Loom reads"))
        #expect(warning.contains("LOOM_COMPUTE_THREADS"))
    }

    @Test("documented non-key variables and variables without the prefix draw no warning")
    func quietVariables() throws {
        let configuration = try self.resolve([
            "LOOM_SYSFS_ROOT": "/nonexistent-loom-sysfs-root",
            "LOOM_NVML_LIBRARY": "/x/libnvidia-ml.so.1",
            "LOOMING": "1",
            "PATH": "/usr/bin",
            "MYAPP_COMPUTE_THREADS": "2",
        ])
        #expect(configuration.warnings.isEmpty)
        #expect(configuration.computeThreads == 7)
    }

    @Test("a custom prefix, written with or without its underscore")
    func customPrefix() throws {
        for prefix in ["MYAPP", "MYAPP_"] {
            let configuration = try self.resolve(
                ["MYAPP_COMPUTE_THREADS": "2", "LOOM_COMPUTE_THREADS": "5"],
                prefix: prefix
            )
            #expect(configuration.computeThreads == 2)
            #expect(
                configuration.source(of: .computeThreads).description == "environment variable MYAPP_COMPUTE_THREADS"
            )
            #expect(configuration.warnings.isEmpty)
        }
    }

    @Test("LOOM_SYSFS_ROOT in the injected environment selects the topology tree")
    func sysfsRoot() throws {
        let fixture = try SysfsFixture.smtPairs()
        let configuration = try withExtendedLifetime(fixture) {
            try LoomBuilder()
                .environment(["LOOM_SYSFS_ROOT": fixture.directory.path])
                .allowedCPUs(CPUSet(0...7))
                .resolve()
        }
        // The SMT fixture pairs CPU 0 with CPU 4, which computes: the plan says so.
        #expect(configuration.warnings.contains { $0.contains("SMT") })
    }
}
