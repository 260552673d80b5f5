import Foundation

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A GPU machine made of files: a sysfs/procfs tree under a temporary directory and, optionally, a private copy
/// of the fake NVML library with its scenario file beside it.
///
/// ## How the fake NVML is found and isolated
///
/// The fake's C source is a test fixture (`Tests/Fixtures/FakeNVML/`), not a target: the package publishes no
/// library that exports NVML symbols. ``fakeLibrary(legacy:)`` compiles it once per test process with the
/// toolchain's C compiler (the legacy variant with `LOOM_FAKE_NVML_LEGACY`), into a temporary directory.
///
/// Each test copies that library into its own directory and writes `fake-nvml.scenario` beside the copy; the
/// fake reads the scenario next to itself at `nvmlInit`. Because each copy is a different file, the dynamic
/// loader maps it separately with its own globals, so tests run in parallel, share no state, and never set a
/// process environment variable: `LOOM_NVML_LIBRARY` and `LOOM_SYSFS_ROOT` go into the injected
/// ``GPUContext/environment`` only.
final class FakeGPUMachine {
    /// The temporary directory holding everything.
    let directory: String
    /// The directory standing in for `/` (`LOOM_SYSFS_ROOT`).
    var root: String { self.directory + "/root" }
    /// The installed fake NVML, if any.
    private(set) var nvmlPath: String?

    init() throws {
        self.directory = (NSTemporaryDirectory() as NSString).appendingPathComponent("loom-gpu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: self.root, withIntermediateDirectories: true)
    }

    /// Deletes the directory. Called from a `defer` in each test rather than from `deinit`, because the optimizer
    /// may end a local's lifetime at its last use, before the code under test has read the files.
    func remove() { try? FileManager.default.removeItem(atPath: self.directory) }

    /// Writes `content` to `systemPath` under the fake root.
    func write(_ systemPath: String, _ content: String) throws {
        let path = self.root + systemPath
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        try content.write(toFile: path, atomically: false, encoding: .utf8)
    }

    /// A PCI device directory as the kernel writes it (values end with a newline).
    func addPCIDevice(
        _ sysfsName: String,
        vendor: String = "0x10de",
        pciClass: String = "0x030200",
        device: String = "0x2330",
        numaNode: Int? = nil,
        localCPUs: String? = nil
    ) throws {
        let directory = "/sys/bus/pci/devices/\(sysfsName)"
        try self.write("\(directory)/vendor", vendor + "\n")
        try self.write("\(directory)/class", pciClass + "\n")
        try self.write("\(directory)/device", device + "\n")
        if let numaNode { try self.write("\(directory)/numa_node", "\(numaNode)\n") }
        if let localCPUs { try self.write("\(directory)/local_cpulist", localCPUs + "\n") }
    }

    /// `/proc/driver/nvidia/gpus/<address>/information`, laid out as the driver writes it.
    func addNVIDIAInformation(_ sysfsName: String, uuid: String, model: String) throws {
        try self.write(
            "/proc/driver/nvidia/gpus/\(sysfsName)/information",
            """
            Model: \t\t \(model)
            IRQ:   \t\t 180
            GPU UUID: \t \(uuid)
            Video BIOS: \t 96.00.74.00.01
            Bus Type: \t PCIe
            DMA Size: \t 52 bits
            DMA Mask: \t 0xfffffffffffff
            Bus Location: \t \(sysfsName)
            Device Minor: \t 0
            GPU Excluded:\t No

            """
        )
    }

    /// Copies the fake NVML into this machine and writes its scenario; returns the copy's path.
    @discardableResult
    func installNVML(scenario: String, legacy: Bool = false) throws -> String {
        let source = try Self.fakeLibrary(legacy: legacy)
        let path = self.directory + "/nvml/libnvidia-ml.so.1"
        try FileManager.default.createDirectory(atPath: self.directory + "/nvml", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source, toPath: path)
        try scenario.write(toFile: self.directory + "/nvml/fake-nvml.scenario", atomically: false, encoding: .utf8)
        self.nvmlPath = path
        return path
    }

    /// A context for this machine: its sysfs root, its fake NVML (or a path that does not exist), and `environment`.
    func context(_ environment: [String: String] = [:]) -> GPUContext {
        var environment = environment
        environment["LOOM_SYSFS_ROOT"] = self.root
        environment["LOOM_NVML_LIBRARY"] = self.nvmlPath ?? self.missingNVMLPath
        return GPUContext(environment: environment)
    }

    /// Where no library is.
    var missingNVMLPath: String { self.directory + "/no-such-dir/libnvidia-ml.so.1" }

    /// The built fake library (see the type's documentation): compiled once per test process.
    static func fakeLibrary(legacy: Bool) throws -> String {
        try (legacy ? Self.builtLegacy : Self.builtCurrent).get()
    }

    private static let builtCurrent = Result { try FakeGPUMachine.compileFake(legacy: false) }
    private static let builtLegacy = Result { try FakeGPUMachine.compileFake(legacy: true) }

    /// Compiles `Tests/Fixtures/FakeNVML/FakeNVML.c` into a shared library in a temporary directory, with the C
    /// compiler the Swift toolchain ships (`clang` on `PATH`, else `cc`; `CC` overrides both).
    private static func compileFake(legacy: Bool) throws -> String {
        let source = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/FakeNVML/FakeNVML.c").path
        let directory = (NSTemporaryDirectory() as NSString)
            .appendingPathComponent("loom-fake-nvml-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #if os(macOS)
        let output = directory + (legacy ? "/libLoomFakeNVMLLegacy.dylib" : "/libLoomFakeNVML.dylib")
        #else
        let output = directory + (legacy ? "/libLoomFakeNVMLLegacy.so" : "/libLoomFakeNVML.so")
        #endif
        var arguments = ["-shared", "-fPIC", "-O1", "-o", output, source]
        if legacy { arguments.insert("-DLOOM_FAKE_NVML_LEGACY=1", at: 0) }
        #if os(Linux)
        arguments.append("-ldl")
        #endif
        let environment = ProcessInfo.processInfo.environment
        let compilers = environment["CC"].map { [$0] } ?? ["clang", "cc"]
        var failures: [String] = []
        for compiler in compilers {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [compiler] + arguments
            let errors = Pipe()
            process.standardError = errors
            do { try process.run() } catch {
                failures.append("\(compiler): \(error)")
                continue
            }
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            if process.terminationStatus == 0 { return output }
            failures.append("\(compiler) exited \(process.terminationStatus): \(message)")
        }
        throw FakeMachineError("could not compile \(source): \(failures.joined(separator: "; "))")
    }
}

struct FakeMachineError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Keeps a fake NVML copy loaded while a test runs, so its counters survive GPULocator's `dlclose`, and reads
/// them: how many inits were not shut down, and which functions were called.
final class FakeNVMLProbe {
    private let handle: UnsafeMutableRawPointer
    private typealias CountFunction = @convention(c) () -> Int32
    private typealias LogFunction = @convention(c) () -> UnsafePointer<CChar>?

    init(path: String) throws {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw FakeMachineError("dlopen(\(path)) failed: \(dlerror().map { String(cString: $0) } ?? "?")")
        }
        self.handle = handle
    }

    deinit { dlclose(self.handle) }

    /// nvmlInit calls not yet matched by nvmlShutdown.
    var openInits: Int {
        guard let symbol = dlsym(self.handle, "loomFakeNVMLInitCount") else { return -1 }
        return Int(unsafeBitCast(symbol, to: CountFunction.self)())
    }

    /// The NVML functions called, in order.
    var calls: [String] {
        guard let symbol = dlsym(self.handle, "loomFakeNVMLCallLog"),
            let text = unsafeBitCast(symbol, to: LogFunction.self)()
        else { return [] }
        return String(cString: text).split(separator: ",").map(String.init)
    }
}
