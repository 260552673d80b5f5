import LoomSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What NVML says about one GPU, before sysfs is consulted.
struct NVMLDeviceRecord: Sendable {
    var index: Int
    var uuid: String
    var name: String
    var address: PCIAddress
    /// The CPU affinity NVML reports (NODE scope), or `nil` with `affinityFailure` saying why.
    var cpus: CPUSet?
    var affinityFailure: String?
}

/// How a MIG instance UUID resolved.
enum MIGLookup: Sendable, Equatable {
    /// The UUID of the GPU the instance belongs to.
    case parent(uuid: String)
    /// NVML does not know the UUID.
    case notFound
    /// NVML could not answer; the text says why.
    case failed(String)
}

/// Everything read from NVML in one init/shutdown session.
struct NVMLReport: Sendable {
    var libraryPath: String
    /// What `nvmlDeviceGetCount` reported (devices whose handle or PCI info failed are counted but not listed).
    var deviceCount: Int
    var devices: [NVMLDeviceRecord]
    var migParents: [String: MIGLookup]
    var diagnostics: [GPUDiagnostic]
}

/// Loads NVML with `dlopen`, reads every GPU and shuts it down again.
///
/// Symbols are looked up with `dlsym`, newest version first (`nvmlInit_v2` before `nvmlInit`,
/// `nvmlDeviceGetPciInfo_v3` before `_v2`, `nvmlDeviceGetCpuAffinityWithinScope` before
/// `nvmlDeviceGetCpuAffinity`), as NVIDIA's go-nvml does, and called through `@convention(c)` function types.
/// `nvmlPciInfo_t` is read as the 68-byte buffer nvml.h describes. Nothing here links against NVML, CUDA or
/// hwloc at build time.
enum NVMLReader {
    /// Reads all GPUs and resolves `migUUIDs` to their parent GPUs. Returns the warning to show instead when
    /// the library cannot be loaded, lacks a required function, or fails to initialise or count.
    static func read(libraryPath: String, migUUIDs: [String]) -> Result<NVMLReport, NVMLUnavailable> {
        guard let handle = dlopen(libraryPath, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            return .failure(
                NVMLUnavailable(
                    reason: "\(libraryPath) could not be loaded (\(reason))",
                    diagnostic: .warning(
                        "GPU locality: \(libraryPath) could not be loaded (\(reason)); using sysfs. "
                            + "Set LOOM_NVML_LIBRARY to override."
                    )
                )
            )
        }
        defer { dlclose(handle) }
        var library = NVMLSymbols(handle: handle)
        return library.read(libraryPath: libraryPath, migUUIDs: migUUIDs)
    }

    /// `NVML_ERROR_DRIVER_NOT_LOADED` for 9; unknown codes as `NVML_ERROR_<n>`.
    static func codeName(_ code: Int32) -> String {
        let names: [Int32: String] = [
            0: "SUCCESS", 1: "UNINITIALIZED", 2: "INVALID_ARGUMENT", 3: "NOT_SUPPORTED", 4: "NO_PERMISSION",
            5: "ALREADY_INITIALIZED", 6: "NOT_FOUND", 7: "INSUFFICIENT_SIZE", 8: "INSUFFICIENT_POWER",
            9: "DRIVER_NOT_LOADED", 10: "TIMEOUT", 11: "IRQ_ISSUE", 12: "LIBRARY_NOT_FOUND",
            13: "FUNCTION_NOT_FOUND", 14: "CORRUPTED_INFOROM", 15: "GPU_IS_LOST", 16: "RESET_REQUIRED",
            17: "OPERATING_SYSTEM", 18: "LIB_RM_VERSION_MISMATCH", 19: "IN_USE", 20: "MEMORY", 21: "NO_DATA",
            22: "VGPU_ECC_NOT_SUPPORTED", 23: "INSUFFICIENT_RESOURCES", 24: "FREQ_NOT_SUPPORTED",
            25: "ARGUMENT_VERSION_MISMATCH", 26: "DEPRECATED", 27: "NOT_READY", 28: "GPU_NOT_FOUND",
            29: "INVALID_STATE", 30: "RESET_TYPE_NOT_SUPPORTED", 999: "UNKNOWN",
        ]
        if code == 0 { return "NVML_SUCCESS" }
        return "NVML_ERROR_" + (names[code] ?? "\(code)")
    }
}

/// Why NVML could not be used, and the warning that says so.
struct NVMLUnavailable: Error, Sendable {
    /// A clause for the `cudaUnavailable` error (`libnvidia-ml.so.1 could not be loaded (…)`).
    var reason: String
    var diagnostic: GPUDiagnostic
}

// MARK: - Symbols

/// `nvmlReturn_t` is a C enum (an `int`); `nvmlDevice_t` an opaque pointer.
private typealias NVMLDevice = OpaquePointer
private typealias InitFunction = @convention(c) () -> Int32
private typealias ShutdownFunction = @convention(c) () -> Int32
private typealias ErrorStringFunction = @convention(c) (Int32) -> UnsafePointer<CChar>?
private typealias CountFunction = @convention(c) (UnsafeMutablePointer<UInt32>?) -> Int32
private typealias HandleByIndexFunction = @convention(c) (UInt32, UnsafeMutablePointer<NVMLDevice?>?) -> Int32
private typealias HandleByUUIDFunction =
    @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<NVMLDevice?>?)
    -> Int32
private typealias PciInfoFunction = @convention(c) (NVMLDevice?, UnsafeMutableRawPointer?) -> Int32
private typealias StringFunction = @convention(c) (NVMLDevice?, UnsafeMutablePointer<CChar>?, UInt32) -> Int32
private typealias AffinityWithinScopeFunction =
    @convention(c) (NVMLDevice?, UInt32, UnsafeMutablePointer<UInt>?, UInt32)
    -> Int32
private typealias AffinityFunction = @convention(c) (NVMLDevice?, UInt32, UnsafeMutablePointer<UInt>?) -> Int32
private typealias IsMigFunction = @convention(c) (NVMLDevice?, UnsafeMutablePointer<UInt32>?) -> Int32
private typealias MigParentFunction = @convention(c) (NVMLDevice?, UnsafeMutablePointer<NVMLDevice?>?) -> Int32

/// `sizeof(nvmlPciInfo_t)` on LP64, and the offsets of the fields Loom reads.
private enum PciInfoLayout {
    static let size = 68
    static let domainOffset = 16
    static let busOffset = 20
    static let deviceOffset = 24
    static let busIDOffset = 36
    static let busIDLength = 32
}

/// `NVML_DEVICE_UUID_V2_BUFFER_SIZE`, also enough for `NVML_DEVICE_NAME_V2_BUFFER_SIZE`.
private let nvmlStringBufferSize = 96
/// `NVML_AFFINITY_SCOPE_NODE`: the CPUs of the GPU's NUMA node, what `local_cpulist` lists.
private let nvmlAffinityScopeNode: UInt32 = 0
/// Words of 64 CPUs asked for: enough for every CPU a `CPUSet` can hold.
private let affinityWordCount = (CPUSet.maximumCPU + 1) / 64

private struct NVMLSymbols {
    let handle: UnsafeMutableRawPointer
    var diagnostics: [GPUDiagnostic] = []

    init(handle: UnsafeMutableRawPointer) { self.handle = handle }

    /// The first of `names` the library exports, and its name. A fallback is noted (`.notice`).
    mutating func lookUp<Function>(_ names: [String], as type: Function.Type, note: Bool = true)
        -> (function: Function, name: String)?
    {
        for name in names {
            guard let pointer = dlsym(self.handle, name) else { continue }
            if note && name != names[0] {
                self.diagnostics.append(.notice("GPU locality: libnvidia-ml lacks \(names[0]); using \(name)."))
            }
            return (unsafeBitCast(pointer, to: Function.self), name)
        }
        return nil
    }

    mutating func read(libraryPath: String, migUUIDs: [String]) -> Result<NVMLReport, NVMLUnavailable> {
        let errorString = self.lookUp(["nvmlErrorString"], as: ErrorStringFunction.self)?.function
        func failure(_ call: String, _ code: Int32) -> String {
            let text = errorString?(code).map { " \"\(String(cString: $0))\"" } ?? ""
            return "\(call) failed: \(NVMLReader.codeName(code)) (\(code))\(text)"
        }
        func unavailable(_ reason: String) -> Result<NVMLReport, NVMLUnavailable> {
            .failure(
                NVMLUnavailable(
                    reason: "NVML (\(libraryPath)): \(reason)",
                    diagnostic: .warning("GPU locality: \(reason); using sysfs.")
                )
            )
        }
        func missing(_ names: [String]) -> String {
            "\(libraryPath) lacks \(names.joined(separator: " and "))"
        }

        let initNames = ["nvmlInit_v2", "nvmlInit"]
        let countNames = ["nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"]
        let handleNames = ["nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"]
        let pciNames = ["nvmlDeviceGetPciInfo_v3", "nvmlDeviceGetPciInfo_v2"]
        guard let (initialize, initName) = self.lookUp(initNames, as: InitFunction.self) else {
            return unavailable(missing(initNames))
        }
        guard let (shutdown, _) = self.lookUp(["nvmlShutdown"], as: ShutdownFunction.self) else {
            return unavailable(missing(["nvmlShutdown"]))
        }
        guard let (count, countName) = self.lookUp(countNames, as: CountFunction.self) else {
            return unavailable(missing(countNames))
        }
        guard let (handleByIndex, handleName) = self.lookUp(handleNames, as: HandleByIndexFunction.self) else {
            return unavailable(missing(handleNames))
        }
        guard let (pciInfo, pciName) = self.lookUp(pciNames, as: PciInfoFunction.self) else {
            return unavailable(missing(pciNames))
        }
        let uuidFunction = self.lookUp(["nvmlDeviceGetUUID"], as: StringFunction.self)?.function
        let nameFunction = self.lookUp(["nvmlDeviceGetName"], as: StringFunction.self)?.function
        let scoped = self.lookUp(
            ["nvmlDeviceGetCpuAffinityWithinScope"],
            as: AffinityWithinScopeFunction.self,
            note: false
        )
        let unscoped = scoped == nil ? self.lookUp(["nvmlDeviceGetCpuAffinity"], as: AffinityFunction.self) : nil
        if scoped == nil && unscoped != nil {
            self.diagnostics.append(
                .notice(
                    "GPU locality: libnvidia-ml lacks nvmlDeviceGetCpuAffinityWithinScope; "
                        + "using nvmlDeviceGetCpuAffinity."
                )
            )
        }

        let initResult = initialize()
        guard initResult == 0 else { return unavailable(failure(initName, initResult)) }
        // Always paired with the successful init above, whatever happens below.
        defer { _ = shutdown() }

        var deviceCount: UInt32 = 0
        let countResult = count(&deviceCount)
        guard countResult == 0 else { return unavailable(failure(countName, countResult)) }

        var devices: [NVMLDeviceRecord] = []
        for index in 0..<Int(deviceCount) {
            var device: NVMLDevice?
            let handleResult = handleByIndex(UInt32(index), &device)
            guard handleResult == 0, let device else {
                self.diagnostics.append(
                    .warning(
                        "GPU locality: \(failure("\(handleName)(\(index))", handleResult)); GPU \(index) is left out."
                    )
                )
                continue
            }
            let pci = Self.readPciInfo(pciInfo, device)
            guard let address = pci.address else {
                self.diagnostics.append(
                    .warning("GPU locality: \(failure("\(pciName)(\(index))", pci.result)); GPU \(index) is left out.")
                )
                continue
            }
            var record = NVMLDeviceRecord(
                index: index,
                uuid: uuidFunction.flatMap { Self.readString($0, device) } ?? "",
                name: nameFunction.flatMap { Self.readString($0, device) } ?? "",
                address: address
            )
            var words = [UInt](repeating: 0, count: affinityWordCount)
            let affinityResult: Int32
            let affinityName: String
            if let (function, name) = scoped {
                affinityName = name
                affinityResult = function(device, UInt32(words.count), &words, nvmlAffinityScopeNode)
            } else if let (function, name) = unscoped {
                affinityName = name
                affinityResult = function(device, UInt32(words.count), &words)
            } else {
                affinityName = "nvmlDeviceGetCpuAffinity"
                affinityResult = 13  // NVML_ERROR_FUNCTION_NOT_FOUND
            }
            if affinityResult == 0 {
                let cpus = CPUSet(words: words.map { UInt64($0) })
                if cpus.isEmpty {
                    record.affinityFailure = "\(affinityName) reported no CPU"
                } else {
                    record.cpus = cpus
                }
            } else {
                record.affinityFailure = failure(affinityName, affinityResult)
            }
            devices.append(record)
        }

        var migParents: [String: MIGLookup] = [:]
        for uuid in migUUIDs {
            migParents[uuid] = self.migParent(of: uuid, failure: failure)
        }
        return .success(
            NVMLReport(
                libraryPath: libraryPath,
                deviceCount: Int(deviceCount),
                devices: devices,
                migParents: migParents,
                diagnostics: self.diagnostics
            )
        )
    }

    /// `nvmlDeviceGetHandleByUUID`, then the parent GPU's handle and its UUID.
    private mutating func migParent(of uuid: String, failure: (String, Int32) -> String) -> MIGLookup {
        guard let (byUUID, _) = self.lookUp(["nvmlDeviceGetHandleByUUID"], as: HandleByUUIDFunction.self),
            let (uuidFunction, _) = self.lookUp(["nvmlDeviceGetUUID"], as: StringFunction.self)
        else {
            return .failed("this NVML lacks nvmlDeviceGetHandleByUUID")
        }
        var device: NVMLDevice?
        let result = byUUID(uuid, &device)
        if result == 6 || result == 2 { return .notFound }  // NOT_FOUND, INVALID_ARGUMENT
        guard result == 0, let device else { return .failed(failure("nvmlDeviceGetHandleByUUID", result)) }
        guard let (isMig, _) = self.lookUp(["nvmlDeviceIsMigDeviceHandle"], as: IsMigFunction.self),
            let (parentOf, _) = self.lookUp(
                ["nvmlDeviceGetDeviceHandleFromMigDeviceHandle"],
                as: MigParentFunction.self
            )
        else {
            return .failed("this NVML has no MIG support (no nvmlDeviceGetDeviceHandleFromMigDeviceHandle)")
        }
        var flag: UInt32 = 0
        let isMigResult = isMig(device, &flag)
        guard isMigResult == 0 else { return .failed(failure("nvmlDeviceIsMigDeviceHandle", isMigResult)) }
        var parent: NVMLDevice? = device
        if flag != 0 {
            let parentResult = parentOf(device, &parent)
            guard parentResult == 0 else {
                return .failed(failure("nvmlDeviceGetDeviceHandleFromMigDeviceHandle", parentResult))
            }
        }
        guard let parent, let parentUUID = Self.readString(uuidFunction, parent), !parentUUID.isEmpty else {
            return .failed("nvmlDeviceGetUUID failed for the parent GPU")
        }
        return .parent(uuid: parentUUID)
    }

    private static func readString(_ function: StringFunction, _ device: NVMLDevice) -> String? {
        var buffer = [CChar](repeating: 0, count: nvmlStringBufferSize)
        guard function(device, &buffer, UInt32(buffer.count)) == 0 else { return nil }
        return buffer.withUnsafeBufferPointer { pointer in
            String(decoding: pointer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Calls `nvmlDeviceGetPciInfo_v3`/`_v2` into a zeroed 68-byte buffer and parses `busId`; if that string
    /// does not parse, the integer `domain`, `bus` and `device` fields are used (function 0).
    private static func readPciInfo(_ function: PciInfoFunction, _ device: NVMLDevice) -> (
        address: PCIAddress?, result: Int32
    ) {
        withUnsafeTemporaryAllocation(byteCount: PciInfoLayout.size, alignment: 8) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            let result = function(device, buffer.baseAddress)
            guard result == 0 else { return (nil, result) }
            let busIDBytes = UnsafeRawBufferPointer(
                rebasing: buffer[PciInfoLayout.busIDOffset..<PciInfoLayout.busIDOffset + PciInfoLayout.busIDLength]
            )
            let busID = String(decoding: busIDBytes.prefix { $0 != 0 }, as: UTF8.self)
            if let address = PCIAddress(parsing: busID) { return (address, 0) }
            let domain = buffer.loadUnaligned(fromByteOffset: PciInfoLayout.domainOffset, as: UInt32.self)
            let bus = buffer.loadUnaligned(fromByteOffset: PciInfoLayout.busOffset, as: UInt32.self)
            let slot = buffer.loadUnaligned(fromByteOffset: PciInfoLayout.deviceOffset, as: UInt32.self)
            let address = PCIAddress(
                domain: domain,
                bus: UInt8(truncatingIfNeeded: bus),
                device: UInt8(truncatingIfNeeded: slot),
                function: 0
            )
            return (address, 0)
        }
    }
}
