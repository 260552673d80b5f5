import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("Configuration files")
struct ConfigFileTests {
    @Test("a TOML file sets every key")
    func toml() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "loom.toml",
            """
            # Loom settings
            prefix = "svc"
            cpuset = "0-3"
            async_threads = 2
            compute_threads = 2
            pin_threads = false
            compute_pool_size = 16
            cuda_device = 1
            watchdog = 30
            blocking_threads = 8
            statistics = false
            metrics_interval = 15
            console = "/run/svc/loom.sock"
            share_async_cpus = true
            """
        )
        let configuration = try LoomBuilder.hermetic().file(path).resolve()
        #expect(configuration.prefix == "svc")
        #expect(configuration.cpuset == [0, 1, 2, 3])
        #expect(configuration.asyncThreads == 2)
        #expect(configuration.computeThreads == 2)
        #expect(configuration.pinThreads == false)
        #expect(configuration.computePoolSize == 16)
        #expect(configuration.cudaDevice == .ordinal(1))
        #expect(configuration.watchdog == .seconds(30))
        #expect(configuration.blockingThreads == 8)
        #expect(configuration.statistics == false)
        #expect(configuration.metricsInterval == .seconds(15))
        #expect(configuration.console == "/run/svc/loom.sock")
        #expect(configuration.shareAsyncCPUs)
        #expect(LoomConfiguration.Key.allCases.allSatisfy { configuration.source(of: $0) == .file(path) })
    }

    @Test("a YAML file sets every key")
    func yaml() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "loom.yml",
            """
            prefix: svc
            cpuset: 0-3,6
            async_threads: 1
            compute_threads: 4
            pin_threads: true
            compute_pool_size: 8
            cuda_device: GPU-8932f937-d72c-4106-c12f-20bd9faed9f6
            watchdog: 1.5
            blocking_threads: 3
            """
        )
        let configuration = try LoomBuilder.hermetic().file(path).resolve()
        #expect(configuration.prefix == "svc")
        #expect(configuration.cpuset == [0, 1, 2, 3, 6])
        #expect(configuration.computeThreads == 4)
        #expect(configuration.pinThreads)
        #expect(configuration.computePoolSize == 8)
        #expect(configuration.cudaDevice == .uuid("GPU-8932f937-d72c-4106-c12f-20bd9faed9f6"))
        #expect(configuration.watchdog == .milliseconds(1500))
        #expect(configuration.blockingThreads == 3)
        #expect(configuration.source(of: .cpuset) == .file(path))
    }

    @Test("a JSON file sets every key")
    func json() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "loom.json",
            #"""
            {"prefix": "svc", "cpuset": "4-7", "async_threads": 1, "compute_threads": 3,
             "pin_threads": false, "compute_pool_size": 1, "cuda_device": "GPU-abc", "watchdog": 0, "blocking_threads": 2}
            """#
        )
        let configuration = try LoomBuilder.hermetic().file(path).resolve()
        #expect(configuration.prefix == "svc")
        #expect(configuration.cpuset == [4, 5, 6, 7])
        #expect(configuration.asyncCPUs == [4])
        #expect(configuration.computeThreads == 3)
        #expect(configuration.pinThreads == false)
        #expect(configuration.computePoolSize == 1)
        #expect(configuration.cudaDevice == .uuid("GPU-abc"))
        #expect(configuration.watchdog == nil)  // 0 turns it off.
        #expect(configuration.source(of: .watchdog) == .file(path))
        #expect(configuration.blockingThreads == 2)
    }

    @Test("a loom-rs config.toml works unchanged")
    func loomRS() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "config.toml",
            """
            prefix = "myapp"
            cpuset = "0-7,16-23"
            tokio_threads = 2
            rayon_threads = 14
            compute_pool_size = 64
            """
        )
        let configuration = try LoomBuilder.hermetic(allowed: CPUSet(0...31)).file(path).resolve()
        #expect(configuration.prefix == "myapp")
        #expect(configuration.cpuset?.description == "0-7,16-23")
        #expect(configuration.asyncThreads == 2)
        #expect(configuration.computeThreads == 14)
        #expect(configuration.computePoolSize == 64)
        #expect(configuration.asyncCPUs == [0, 1])
        #expect(configuration.computeCPUs.description == "2-7,16-23")
        #expect(configuration.source(of: .asyncThreads) == .file(path))
        #expect(configuration.warnings.isEmpty)
    }

    @Test("a loom-rs 0.5 config.toml loads: tokio_flavor, mab_knobs and calibration with a warning each")
    func loomRS05() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "config.toml",
            """
            prefix = "myapp"
            rayon_threads = 6
            tokio_flavor = "current_thread"

            [mab_knobs]
            k_starve = 0.1
            measured_offload_overhead_us = 50.0

            [calibration]
            enabled = true
            warmup_iterations = 100
            sample_count = 1000
            """
        )
        let configuration = try LoomBuilder.hermetic().file(path).resolve()
        #expect(configuration.prefix == "myapp")
        #expect(configuration.computeThreads == 6)
        #expect(configuration.asyncThreads == 1)  // current_thread: one async thread.
        #expect(configuration.source(of: .asyncThreads) == .file(path))
        #expect(configuration.warnings.count == 3)
        #expect(configuration.warnings.contains { $0.contains("tokio_flavor") && $0.contains("async_threads = 1") })
        #expect(configuration.warnings.contains { $0.contains("mab_knobs") && $0.contains("ignored") })
        #expect(configuration.warnings.contains { $0.contains("calibration") && $0.contains("ignored") })
    }

    @Test("tokio_flavor: multi_thread is silent; current_thread beside async_threads leaves the count alone")
    func tokioFlavor() throws {
        let directory = try TemporaryDirectory()
        let multi = try directory.write("multi.toml", "tokio_flavor = \"multi_thread\"\ntokio_threads = 2\n")
        let quiet = try LoomBuilder.hermetic().file(multi).resolve()
        #expect(quiet.asyncThreads == 2)
        #expect(quiet.warnings.isEmpty)

        let both = try directory.write("both.yaml", "tokio_flavor: current_thread\nasync_threads: 3\n")
        let counted = try LoomBuilder.hermetic().file(both).resolve()
        #expect(counted.asyncThreads == 3)
        #expect(counted.warnings.count == 1)
        #expect(counted.warnings.first?.contains("async_threads given beside it decides") == true)

        let environment = try LoomBuilder.hermetic(environment: ["LOOM_TOKIO_FLAVOR": "current_thread"])
            .envPrefix("LOOM").resolve()
        #expect(environment.asyncThreads == 1)
        #expect(environment.source(of: .asyncThreads) == .environment("LOOM_TOKIO_FLAVOR"))
    }

    @Test("loom-rs keys with a value of the wrong shape are LoomErrors naming the key, value and source")
    func loomRSBadValues() throws {
        let directory = try TemporaryDirectory()
        let flavor = try directory.write("flavor.toml", "tokio_flavor = \"single\"\n")
        expectLoomError(
            LoomBuilder.hermetic().file(flavor),
            .invalidConfiguration,
            containing: ["\"single\"", "tokio_flavor", "file \(flavor)", "multi_thread"]
        )
        let knobs = try directory.write("knobs.json", #"{ "mab_knobs": 3 }"#)
        expectLoomError(
            LoomBuilder.hermetic().file(knobs),
            .invalidConfiguration,
            containing: ["\"3\"", "mab_knobs", "file \(knobs)", "expected a table"]
        )
        expectLoomError(
            LoomBuilder.hermetic(environment: ["LOOM_TOKIO_FLAVOR": "7"]).envPrefix("LOOM"),
            .invalidConfiguration,
            containing: ["\"7\"", "tokio_flavor", "LOOM_TOKIO_FLAVOR"]
        )
    }

    @Test("the extension is case-insensitive, and .yaml and .yml are both YAML")
    func extensions() throws {
        let directory = try TemporaryDirectory()
        for name in ["a.YAML", "b.yaml", "c.Yml", "d.JSON", "e.Toml"] {
            let text =
                name.lowercased().hasSuffix("json")
                ? #"{"compute_threads": 5}"#
                : name.lowercased().hasSuffix("toml") ? "compute_threads = 5" : "compute_threads: 5"
            let path = try directory.write(name, text)
            #expect(try LoomBuilder.hermetic().file(path).resolve().computeThreads == 5, "\(name)")
        }
    }

    @Test("empty files set nothing")
    func emptyFiles() throws {
        let directory = try TemporaryDirectory()
        for name in ["a.toml", "b.yaml"] {
            let path = try directory.write(name, "")
            #expect(try LoomBuilder.hermetic().file(path).resolve().computeThreads == 7)
        }
        let json = try directory.write("c.json", "{}")
        #expect(try LoomBuilder.hermetic().file(json).resolve().computeThreads == 7)
    }

    @Test("a missing optional file is skipped")
    func optionalMissing() throws {
        let configuration = try LoomBuilder.hermetic().file("/nonexistent/loom.toml", required: false).resolve()
        #expect(configuration.computeThreads == 7)
    }

    @Test("cuda_device: an integer is an ordinal, a string a UUID (even one made of digits), as in loom-rs")
    func cudaDeviceTypes() throws {
        let directory = try TemporaryDirectory()
        let ordinal = try directory.write("a.toml", "cuda_device = 1\n")
        let uuid = try directory.write("b.toml", "cuda_device = \"1\"\n")
        #expect(try LoomBuilder.hermetic().file(ordinal).resolve().cudaDevice == .ordinal(1))
        #expect(try LoomBuilder.hermetic().file(uuid).resolve().cudaDevice == .uuid("1"))
        #expect(try LoomBuilder.hermetic().cudaDevice(uuid: "0").resolve().cudaDevice == .uuid("0"))
    }

    @Test("YAML booleans and integers keep their types")
    func yamlTypes() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("a.yaml", "pin_threads: false\ncuda_device: 0\n")
        let configuration = try LoomBuilder.hermetic().file(path).resolve()
        #expect(configuration.pinThreads == false)
        #expect(configuration.cudaDevice == .ordinal(0))
    }
}
