/// Finds the GPU a ``CUDADeviceSelector`` names and the CPUs local to it.
///
/// Resolution, step by step (maintainer notes with the reasons: `Documentation/Internals/GPU.md`):
///
/// 1. **Inventory.** NVML is loaded with `dlopen` (`LOOM_NVML_LIBRARY`, else `libnvidia-ml.so.1`), every GPU
///    is read in NVML index order (UUID, name, PCI bus id, CPU affinity of its NUMA node) and NVML is shut down.
///    Without NVML (library missing, a required function missing, `nvmlInit` failing) a warning is returned and
///    the NVIDIA GPUs are enumerated from sysfs in PCI address order, with UUIDs from `/proc/driver/nvidia`.
/// 2. **Locality.** Each GPU's `numa_node` and `local_cpulist` are read from `/sys/bus/pci/devices/<bus-id>/`.
///    `numa_node = -1` means the locality is unknown, never "every CPU is local". NVML's affinity wins over
///    `local_cpulist`; a disagreement is reported.
/// 3. **Selection.** An ordinal is a CUDA ordinal: mapped through `CUDA_VISIBLE_DEVICES` (indices, UUIDs, UUID
///    prefixes, MIG ids; in list order; stopping at the first entry that names no GPU, as CUDA does), or, when
///    that variable is unset, taken as the NVML index. A UUID may be a unique prefix; a MIG instance resolves to
///    its parent GPU.
///
/// Nothing is logged: diagnostics are returned for the caller to log or print, and every failure is a
/// ``LoomError``. Every input (environment, sysfs root, NVML path) comes from the ``GPUContext``.
///
/// ```swift
/// let (device, diagnostics) = try GPULocator.resolve(.ordinal(0), context: .process())
/// let (cpus, more) = try GPULocator.usableCPUs(for: device, allowed: try CPUSet.allowed())
/// ```
import LoomSystem

package enum GPULocator {
    /// The GPU `selector` names.
    ///
    /// - Parameters:
    ///   - selector: a CUDA ordinal or a UUID (full, unique prefix, or `MIG-…`).
    ///   - context: the environment, sysfs root and NVML library to use.
    ///   - source: where the selector came from (`environment variable LOOM_CUDA_DEVICE`), named in errors.
    /// - Returns: the GPU (with ``GPUDevice/localCPUs`` `nil` when its locality is unknown) and the
    ///   diagnostics to log, most general first.
    /// - Throws: ``LoomError`` with code ``LoomError/Code/cudaUnavailable`` when no GPU can be found at all, or
    ///   ``LoomError/Code/cudaDeviceNotFound`` for an unknown UUID, an ambiguous prefix, an ordinal out of range
    ///   or a MIG instance that cannot be resolved; the error names what is visible.
    package static func resolve(
        _ selector: CUDADeviceSelector,
        context: GPUContext,
        source: String? = nil
    ) throws(LoomError) -> (device: GPUDevice, diagnostics: [GPUDiagnostic]) {
        let visibleDevices = context.environment["CUDA_VISIBLE_DEVICES"]
        // MIG instances are resolved while NVML is open: the selector's, and those CUDA_VISIBLE_DEVICES lists
        // (needed to map an ordinal, or to tell whether a UUID selector is hidden from CUDA).
        var migUUIDs = visibleDevices.map { Self.tokens(of: $0).filter(Self.isMIGInstanceUUID) } ?? []
        if case .uuid(let text) = selector, Self.isMIGInstanceUUID(text), !migUUIDs.contains(text) {
            migUUIDs.append(text)
        }
        let inventory = try GPUInventory.read(
            context,
            migUUIDs: migUUIDs,
            key: Self.key,
            value: selector.description,
            source: source
        )
        var diagnostics = inventory.diagnostics
        let selected: Int
        switch selector {
        case .ordinal(let ordinal):
            selected = try Self.select(
                ordinal: ordinal,
                in: inventory,
                environment: context.environment,
                source: source,
                diagnostics: &diagnostics
            )
        case .uuid(let text):
            selected = try Self.select(uuid: text, in: inventory, source: source)
            if let visibleDevices {
                let visible = Self.visibleDevices(visibleDevices, in: inventory)
                if !visible.entries.contains(where: { $0.entry == selected }) {
                    let device = inventory.entries[selected].device
                    diagnostics.append(
                        .warning(
                            "GPU \(Self.label(device)) is not among the devices CUDA_VISIBLE_DEVICES="
                                + "\"\(visibleDevices)\" makes visible; CUDA code in this process cannot use it."
                        )
                    )
                }
            }
        }
        let entry = inventory.entries[selected]
        return (entry.device, diagnostics + entry.diagnostics)
    }

    /// Every GPU, in NVML index order, with the diagnostics of reading them.
    ///
    /// - Throws: ``LoomError`` with code ``LoomError/Code/cudaUnavailable`` when neither NVML nor sysfs shows
    ///   a GPU.
    package static func list(context: GPUContext) throws(LoomError) -> (
        devices: [GPUDevice], diagnostics: [GPUDiagnostic]
    ) {
        let inventory = try GPUInventory.read(context, migUUIDs: [], key: nil, value: nil, source: nil)
        return (
            inventory.entries.map(\.device),
            inventory.diagnostics + inventory.entries.flatMap(\.diagnostics)
        )
    }

    /// The CPUs to run on for `device`: `allowed` ∩ the GPU-local CPUs.
    ///
    /// - When the locality is unknown (``GPUDevice/localCPUs`` is `nil`), all of `allowed`, with a warning.
    /// - When only some GPU-local CPUs are allowed, those, with an `.info` diagnostic.
    ///
    /// - Parameters:
    ///   - device: a GPU from ``resolve(_:context:source:)``.
    ///   - allowed: the CPUs this process may use (``CPUSet/allowed()``, or the configured cpuset).
    ///   - source: where the CUDA device selection came from, named in the error.
    ///   - value: the selection as it was written (`0`, `GPU-8932f937`), named in the error.
    /// - Throws: ``LoomError`` with code ``LoomError/Code/cudaNoAllowedCPUs`` when no GPU-local CPU is allowed.
    package static func usableCPUs(
        for device: GPUDevice,
        allowed: CPUSet,
        source: String? = nil,
        value: String? = nil
    ) throws(LoomError) -> (cpus: CPUSet, diagnostics: [GPUDiagnostic]) {
        guard let local = device.localCPUs else {
            let reason = device.localityUnknownReason ?? "no locality information"
            return (
                allowed,
                [
                    .warning(
                        "GPU \(device.pciBusID) reports no NUMA affinity (\(reason)); using all allowed CPUs "
                            + "(\(allowed))."
                    )
                ]
            )
        }
        let usable = allowed.intersection(local)
        guard !usable.isEmpty else {
            let node = device.numaNode.map { ", NUMA node \($0)" } ?? ""
            let description =
                "CPUs local to GPU \(device.index) (\(device.pciBusID)\(node): \(local)) do not overlap the CPUs "
                + "this process may use (\(allowed)). Check the container cpuset (cpuset.cpus.effective), taskset "
                + "or numactl, or select another GPU."
            throw LoomError(
                .cudaNoAllowedCPUs,
                description: description + Self.attribution(key: Self.key, value: value, source: source),
                reason: description,
                key: Self.key,
                value: value,
                source: source
            )
        }
        guard usable.count < local.count else { return (usable, []) }
        return (
            usable,
            [
                .info(
                    "Using \(usable.count) of \(local.count) GPU-local CPUs (the rest are outside this process's "
                        + "allowed set)."
                )
            ]
        )
    }

    /// The configuration key errors name.
    static let key = "cuda_device"

    /// ` Requested by cuda_device "1" (environment variable LOOM_CUDA_DEVICE).`, or nothing without a source.
    static func attribution(key: String?, value: String?, source: String?) -> String {
        guard let source else { return "" }
        let written = value.map { " \"\($0)\"" } ?? ""
        return " Requested by \(key ?? Self.key)\(written) (\(source))."
    }

    /// `GPU-8932f937-…@0000:17:00.0`, for lists of what is visible.
    static func label(_ device: GPUDevice) -> String {
        "\(device.uuid.isEmpty ? "<unknown UUID>" : device.uuid)@\(device.pciBusID)"
    }
}
