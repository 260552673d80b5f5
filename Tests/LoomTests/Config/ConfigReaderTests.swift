import Configuration
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("ConfigReader")
struct ConfigReaderTests {
    private func resolve(_ values: [AbsoluteConfigKey: ConfigValue]) throws -> LoomConfiguration {
        let reader = ConfigReader(providers: [InMemoryProvider(values: values)])
        return try LoomBuilder.hermetic().configReader(reader).resolve()
    }

    @Test("camelCase keys under loom. set every key")
    func camelCase() throws {
        let configuration = try self.resolve([
            "loom.prefix": "reader",
            "loom.cpuset": "0-3",
            "loom.asyncThreads": 2,
            "loom.computeThreads": 2,
            "loom.pinThreads": false,
            "loom.computePoolSize": 4,
            "loom.cudaDevice": "GPU-1",
            "loom.watchdog": 2.5,
            "loom.blockingThreads": 5,
            "loom.statistics": false,
            "loom.metricsInterval": 30,
            "loom.console": "/tmp/reader.sock",
            "loom.shareAsyncCPUs": true,
        ])
        #expect(configuration.prefix == "reader")
        #expect(configuration.cpuset == [0, 1, 2, 3])
        #expect(configuration.asyncThreads == 2)
        #expect(configuration.computeThreads == 2)
        #expect(configuration.pinThreads == false)
        #expect(configuration.computePoolSize == 4)
        #expect(configuration.cudaDevice == .uuid("GPU-1"))
        #expect(configuration.watchdog == .milliseconds(2500))
        #expect(configuration.blockingThreads == 5)
        #expect(configuration.statistics == false)
        #expect(configuration.metricsInterval == .seconds(30))
        #expect(configuration.console == "/tmp/reader.sock")
        #expect(configuration.shareAsyncCPUs)
        #expect(configuration.source(of: .computePoolSize).description == "ConfigReader key loom.computePoolSize")
        #expect(LoomConfiguration.Key.allCases.allSatisfy { configuration.source(of: $0).kind == .code })
    }

    @Test("snake_case keys under loom. work too")
    func snakeCase() throws {
        let configuration = try self.resolve(["loom.compute_threads": 3, "loom.cuda_device": 1])
        #expect(configuration.computeThreads == 3)
        #expect(configuration.cudaDevice == .ordinal(1))
        #expect(configuration.source(of: .computeThreads).description == "ConfigReader key loom.compute_threads")
    }

    @Test("the loom-rs aliases are read too")
    func aliases() throws {
        let configuration = try self.resolve(["loom.tokioThreads": 2, "loom.rayon_threads": 3])
        #expect(configuration.asyncThreads == 2)
        #expect(configuration.computeThreads == 3)
    }

    @Test("an environment-variable provider works through the reader: text is read like Loom's environment")
    func environmentProvider() throws {
        let provider = EnvironmentVariablesProvider(environmentVariables: [
            "LOOM_COMPUTE_THREADS": "5", "LOOM_PIN_THREADS": "false", "LOOM_CPUSET": "1-2",
        ])
        let configuration = try LoomBuilder.hermetic().configReader(ConfigReader(providers: [provider])).resolve()
        #expect(configuration.computeThreads == 5)
        #expect(configuration.pinThreads == false)
        #expect(configuration.cpuset == [1, 2])
    }

    @Test("values outside loom. are ignored")
    func otherScopes() throws {
        let configuration = try self.resolve(["computeThreads": 3, "app.loom.computeThreads": 3])
        #expect(configuration.computeThreads == 7)
    }
}
