/// Which CUDA device's local CPUs a runtime should use.
///
/// - ``ordinal(_:)``: a CUDA device ordinal as a CUDA program sees it (`cudaSetDevice(n)`), mapped through
///   `CUDA_VISIBLE_DEVICES` when that variable is set.
/// - ``uuid(_:)``: a GPU UUID (`GPU-8932f937-…`), a unique prefix of one, or a MIG instance UUID (`MIG-…`,
///   resolved to its parent GPU).
import LoomSystem

public enum CUDADeviceSelector: Sendable, Hashable, CustomStringConvertible {
    /// A CUDA device ordinal (`cudaSetDevice(n)`): the n-th device of `CUDA_VISIBLE_DEVICES` when that is set,
    /// else NVML index `n` (`nvidia-smi`'s numbering).
    case ordinal(Int)
    /// A GPU UUID (`GPU-8932f937-d72c-4106-c12f-20bd9faed9f6`), a unique prefix of one (`GPU-8932f937`), or a
    /// MIG instance UUID (`MIG-…`), which selects its parent GPU.
    case uuid(String)

    /// Reads a selector the way `cuda_device`, `LOOM_CUDA_DEVICE` and `--loom-cuda-device` are written: a decimal
    /// integer is an ordinal, anything else a UUID (or prefix).
    package init(parsing text: String) {
        let trimmed = text.trimmingWhitespace
        if let ordinal = Int(trimmed) { self = .ordinal(ordinal) } else { self = .uuid(trimmed) }
    }

    /// The selector as it would be written in `cuda_device`: the ordinal's digits or the UUID.
    public var description: String {
        switch self {
        case .ordinal(let ordinal): "\(ordinal)"
        case .uuid(let uuid): uuid
        }
    }
}

/// A GPU and the CPUs local to it, as ``LoomConfiguration`` reports it.
public struct GPUDevice: Sendable, Hashable {
    /// The NVML index (the order `nvidia-smi` lists GPUs in), which is not necessarily the CUDA ordinal.
    public let index: Int
    /// The GPU's UUID (`GPU-…`); for a MIG instance, its parent GPU's UUID. Empty when unknown (no NVML and no
    /// `/proc/driver/nvidia/gpus/<bus-id>/information`).
    public let uuid: String
    /// The product name (`NVIDIA H100 80GB HBM3`).
    public let name: String
    /// The PCI address in sysfs form: lower-case hex, at least four domain digits (`0000:17:00.0`).
    public let pciBusID: String
    /// The NUMA node the GPU is attached to, or `nil` when the platform does not say (`numa_node = -1`).
    public let numaNode: Int?
    /// The CPUs local to the GPU (its NUMA node's CPUs), or `nil` when the locality is unknown.
    public let localCPUs: CPUSet?
    /// Why ``localCPUs`` is `nil` (`numa_node = -1`), for the warning that says all allowed CPUs are used.
    package let localityUnknownReason: String?

    package init(
        index: Int,
        uuid: String,
        name: String,
        pciBusID: String,
        numaNode: Int?,
        localCPUs: CPUSet?,
        localityUnknownReason: String? = nil
    ) {
        self.index = index
        self.uuid = uuid
        self.name = name
        self.pciBusID = pciBusID
        self.numaNode = numaNode
        self.localCPUs = localCPUs
        self.localityUnknownReason = localCPUs == nil ? (localityUnknownReason ?? "no locality information") : nil
    }
}
