import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("CUDA device hook")
struct GPUHookTests {
    private static let device = GPUDevice(
        index: 1,
        uuid: "GPU-1111",
        name: "Fake GPU",
        pciBusID: "0000:b3:00.0",
        numaNode: 1,
        localCPUs: CPUSet(4...11)
    )

    @Test("with the real locator and no GPU anywhere, selecting a device is an error naming what was tried")
    func realLocatorWithoutGPU() {
        var builder = LoomBuilder.hermetic(environment: ["LOOM_NVML_LIBRARY": "/nonexistent/libnvidia-ml.so.1"])
            .cudaDevice(id: 0)
        builder.gpuResolver = nil
        expectLoomError(
            builder,
            .cudaUnavailable,
            containing: [
                "No NVIDIA GPU found", "/nonexistent/libnvidia-ml.so.1", "cuda_device \"0\"",
                "code (LoomBuilder.cudaDevice(id:))",
            ]
        )
    }

    @Test("a locator narrows the usable CPUs to the GPU-local ones")
    func located() throws {
        var builder = LoomBuilder.hermetic().cudaDevice(uuid: "GPU-1")
        builder.gpuResolver = { selector, _, _ throws(LoomError) in
            #expect(selector == .uuid("GPU-1"))
            return (Self.device, ["a locator warning"])
        }
        let configuration = try builder.resolve()
        #expect(configuration.gpu == Self.device)
        #expect(configuration.usableCPUs == CPUSet(4...7))
        #expect(configuration.asyncCPUs == [4])
        #expect(configuration.computeThreads == 3)
        #expect(
            configuration.warnings == [
                "a locator warning",
                "Using 4 of 8 GPU-local CPUs (the rest are outside this process's allowed set).",
            ]
        )
    }

    @Test("the locator sees the environment and the sysfs reader")
    func locatorInputs() throws {
        let builder = LoomBuilder.hermetic(environment: ["CUDA_VISIBLE_DEVICES": "1"])
            .cudaDevice(id: 0)
            .resolvingGPU { _, environment, sysfs throws(LoomError) in
                #expect(environment["CUDA_VISIBLE_DEVICES"] == "1")
                #expect(sysfs.root == "/nonexistent-loom-sysfs-root")
                return (Self.device, [])
            }
        #expect(try builder.resolve().gpu?.index == 1)
    }

    @Test("unknown locality keeps the usable CPUs")
    func unknownLocality() throws {
        let unknown = GPUDevice(
            index: 0,
            uuid: "GPU-0",
            name: "n",
            pciBusID: "0000:17:00.0",
            numaNode: nil,
            localCPUs: nil
        )
        let builder = LoomBuilder.hermetic().cudaDevice(id: 0).resolvingGPU { _, _, _ throws(LoomError) in (unknown, [])
        }
        #expect(try builder.resolve().usableCPUs == CPUSet(0...7))
    }

    @Test("GPU-local CPUs outside the usable CPUs are an error naming the device and the CPUs")
    func disjoint() {
        let builder = LoomBuilder.hermetic(allowed: CPUSet(0...3)).cudaDevice(id: 1)
            .resolvingGPU { _, _, _ throws(LoomError) in (Self.device, []) }
        expectLoomError(
            builder,
            .cudaNoAllowedCPUs,
            containing: ["cuda_device \"1\"", "code (LoomBuilder.cudaDevice(id:))", "4-11", "0000:b3:00.0", "(0-3)"]
        )
    }

    @Test("a locator error passes through unchanged")
    func locatorError() {
        let failure = LoomError(.cudaDeviceNotFound, description: "No GPU with UUID \"GPU-9\" is visible.")
        let builder = LoomBuilder.hermetic().cudaDevice(uuid: "GPU-9")
            .resolvingGPU { _, _, _ throws(LoomError) in throw failure }
        #expect(throws: failure) { try builder.resolve() }
    }
}
