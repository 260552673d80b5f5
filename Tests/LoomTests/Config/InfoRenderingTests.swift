import Foundation
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("loom info rendering")
struct InfoRenderingTests {
    private func object(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test("the JSON object has the config keys, the CPUs, the sources and the threads")
    func json() throws {
        let configuration = try LoomBuilder.hermetic(environment: ["LOOM_COMPUTE_THREADS": "3"])
            .envPrefix("LOOM")
            .prefix("svc")
            .withCLIArgs(try LoomArguments.parse(["--loom-async-threads", "2"]))
            .resolve()
        let json = try self.object(configuration.infoJSON)
        #expect(
            Set(json.keys) == [
                "prefix", "cpuset", "async_threads", "compute_threads", "pin_threads", "compute_pool_size",
                "cuda_device", "watchdog", "blocking_threads", "statistics", "metrics_interval", "console",
                "share_async_cpus", "allowed_cpus", "async_cpus", "compute_cpus", "borrowed_cpus", "sources", "threads",
            ]
        )
        #expect(json["prefix"] as? String == "svc")
        #expect(json["cpuset"] is NSNull)
        #expect(json["async_threads"] as? Int == 2)
        #expect(json["compute_threads"] as? Int == 3)
        #expect(json["pin_threads"] as? Bool == true)
        #expect(json["compute_pool_size"] as? Int == 64)
        #expect(json["cuda_device"] is NSNull)
        #expect(json["allowed_cpus"] as? String == "0-7")
        #expect(json["async_cpus"] as? String == "0-1")
        #expect(json["compute_cpus"] as? String == "2-4")
        let sources = try #require(json["sources"] as? [String: String])
        #expect(sources["compute_threads"] == "environment")
        #expect(sources["prefix"] == "code")
        #expect(sources["async_threads"] == "cli")
        #expect(sources["cpuset"] == "default")
        let threads = try #require(json["threads"] as? [[String: String]])
        #expect(threads.count == 5)
        #expect(
            threads[0] == [
                "name": "svc-async-0000", "kernel_name": "svc-async-0000", "pool": "async", "cpus": "0",
                "priority": "normal",
            ]
        )
        #expect(
            threads[2] == [
                "name": "svc-compute-0000", "kernel_name": "svc-c0", "pool": "compute", "cpus": "2",
                "priority": "normal",
            ]
        )
        #expect(json["share_async_cpus"] as? Bool == false)
        #expect(json["borrowed_cpus"] as? String == "")
    }

    @Test("the JSON carries the cpuset and the device as given, and the GPU when located")
    func jsonGPU() throws {
        let device = GPUDevice(
            index: 2,
            uuid: "GPU-2",
            name: "Fake \"GPU\"",
            pciBusID: "0000:17:00.0",
            numaNode: 0,
            localCPUs: CPUSet(0...3)
        )
        let configuration = try LoomBuilder.hermetic().cpuset("0-5").cudaDevice(id: 0)
            .resolvingGPU { _, _, _ throws(LoomError) in (device, []) }
            .resolve()
        let json = try self.object(configuration.infoJSON)
        #expect(json["cpuset"] as? String == "0-5")
        #expect(json["cuda_device"] as? Int == 0)
        let gpu = try #require(json["gpu"] as? [String: Any])
        #expect(gpu["index"] as? Int == 2)
        #expect(gpu["uuid"] as? String == "GPU-2")
        #expect(gpu["name"] as? String == "Fake \"GPU\"")
        #expect(gpu["pci_bus_id"] as? String == "0000:17:00.0")
        #expect(gpu["local_cpus"] as? String == "0-3")

        let uuid = try LoomBuilder.hermetic().cudaDevice(uuid: "GPU-x").resolve()
        let uuidJSON = try self.object(uuid.infoJSON)
        #expect(uuidJSON["cuda_device"] as? String == "GPU-x")
        // The stub locator reports unknown locality: local_cpus is null, not a guess.
        let stub = try #require(uuidJSON["gpu"] as? [String: Any])
        #expect(stub["uuid"] as? String == LoomBuilder.stubGPU.uuid)
        #expect(stub["local_cpus"] is NSNull)

        let none = try self.object(try LoomBuilder.hermetic().resolve().infoJSON)
        #expect(none["gpu"] == nil)
    }

    @Test("unpinned threads show empty CPU strings in JSON")
    func jsonUnpinned() throws {
        let configuration = try LoomBuilder.hermetic().pinThreads(false).resolve()
        let json = try self.object(configuration.infoJSON)
        let threads = try #require(json["threads"] as? [[String: String]])
        #expect(threads.allSatisfy { $0["cpus"] == "" })
        #expect(json["async_cpus"] as? String == "0")
    }

    @Test("the text lists each value with its source, the CPUs and the threads")
    func text() throws {
        let configuration = try LoomBuilder.hermetic(allowed: CPUSet(0...1), environment: ["LOOM_COMPUTE_THREADS": "3"])
            .envPrefix("LOOM")
            .resolve()
        let lines = configuration.infoText.split(separator: "\n").map(String.init)
        #expect(lines.first == "Configuration")
        let computeLine = try #require(lines.first { $0.hasPrefix("  compute_threads") })
        #expect(computeLine.contains(" 3 "))
        #expect(computeLine.hasSuffix("environment variable LOOM_COMPUTE_THREADS"))
        #expect(lines.contains { $0.hasPrefix("  prefix") && $0.contains("loom") && $0.hasSuffix("default") })
        #expect(lines.contains("  allowed  0-1"))
        #expect(lines.contains("  async    0"))
        #expect(lines.contains("  compute  1"))
        #expect(lines.contains { $0.contains("loom-compute-0002") && $0.contains("loom-c2") && $0.hasSuffix("1") })
        #expect(!configuration.infoText.contains("GPU"))
    }

    @Test("JSON strings are escaped")
    func escaping() {
        let text = JSONText.object([("k", .string("a\"b\\c\nd\u{1}"))]).rendered()
        #expect(text == "{\n  \"k\": \"a\\\"b\\\\c\\nd\\u0001\"\n}")
        #expect(JSONText.array([]).rendered() == "[]")
        #expect(JSONText.object([]).rendered() == "{}")
    }
}
