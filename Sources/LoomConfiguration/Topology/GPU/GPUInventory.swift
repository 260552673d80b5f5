/// Every GPU the machine shows, with its locality: read from NVML when it loads, else from sysfs.
///
/// This is the step between the raw readers (``NVMLReader``, ``GPUSysfs``) and ``GPULocator``'s selection: it
/// merges NVML's view of a GPU with sysfs's view of its PCI device and says, per GPU, what it had to guess.
import LoomSystem

struct GPUInventory: Sendable {
    enum Source: Sendable, Equatable {
        /// NVML loaded from this path.
        case nvml(String)
        /// NVML unavailable; GPUs enumerated from sysfs.
        case sysfs
    }

    /// One GPU and the diagnostics that concern only it (locality unknown, NVML and sysfs disagreeing).
    struct Entry: Sendable {
        var device: GPUDevice
        var diagnostics: [GPUDiagnostic]
    }

    var source: Source
    /// In NVML index order.
    var entries: [Entry]
    /// Diagnostics about the inventory as a whole (NVML missing, symbol fallbacks, GPUs left out).
    var diagnostics: [GPUDiagnostic]
    /// MIG instance UUID -> parent GPU, for the MIG UUIDs asked for (empty without NVML).
    var migParents: [String: MIGLookup]

    /// Reads the GPUs. `migUUIDs` are MIG instance UUIDs (`MIG-…`) to resolve to their parent GPUs while NVML
    /// is open.
    ///
    /// - Throws: ``LoomError`` with code ``LoomError/Code/cudaUnavailable`` when neither NVML nor sysfs shows
    ///   a GPU. `key` and `value` are attached to it.
    static func read(
        _ context: GPUContext,
        migUUIDs: [String],
        key: String?,
        value: String?,
        source: String?
    ) throws(LoomError) -> GPUInventory {
        switch NVMLReader.read(libraryPath: context.nvmlLibraryPath, migUUIDs: migUUIDs) {
        case .success(let report):
            let entries = report.devices.map { record in
                Self.entry(
                    index: record.index,
                    uuid: record.uuid,
                    name: record.name,
                    address: record.address,
                    nvmlCPUs: record.cpus,
                    nvmlFailure: record.affinityFailure,
                    context.sysfs
                )
            }
            guard !entries.isEmpty else {
                var reason = "NVML (\(report.libraryPath)) reports \(report.deviceCount) GPU(s)"
                if report.deviceCount > 0 {
                    reason +=
                        " but none could be read: "
                        + report.diagnostics.filter { $0.level == .warning }.map(\.message).joined(separator: " ")
                }
                throw Self.unavailable(reason.endingWithPeriod, key: key, value: value, source: source)
            }
            return GPUInventory(
                source: .nvml(report.libraryPath),
                entries: entries,
                diagnostics: report.diagnostics,
                migParents: report.migParents
            )

        case .failure(let failure):
            let devices = GPUSysfs.nvidiaDevices(context.sysfs)
            guard !devices.isEmpty else {
                let reason =
                    "\(failure.reason), and \(context.sysfs.path(GPUSysfs.pciDevices)) lists no NVIDIA GPU "
                    + "(vendor 0x10de, class 0x0300xx or 0x0302xx). If NVML is installed elsewhere, set "
                    + "LOOM_NVML_LIBRARY to its path."
                throw Self.unavailable(reason, key: key, value: value, source: source)
            }
            let entries = devices.enumerated().map { index, device in
                Self.entry(
                    index: index,
                    uuid: device.uuid ?? "",
                    name: device.displayName,
                    address: device.address,
                    nvmlCPUs: nil,
                    nvmlFailure: "NVML is not available",
                    context.sysfs
                )
            }
            return GPUInventory(source: .sysfs, entries: entries, diagnostics: [failure.diagnostic], migParents: [:])
        }
    }

    /// Merges NVML's CPU affinity with sysfs's `numa_node` and `local_cpulist` for the GPU at `address`:
    ///
    /// - `numa_node = -1`: locality unknown (`local_cpulist` is then just the online CPUs).
    /// - NVML's affinity when it has one; a warning naming both when sysfs's `local_cpulist` differs.
    /// - else sysfs's `local_cpulist`;
    /// - else unknown.
    static func entry(
        index: Int,
        uuid: String,
        name: String,
        address: PCIAddress,
        nvmlCPUs: CPUSet?,
        nvmlFailure: String?,
        _ sysfs: SysfsReader
    ) -> Entry {
        let locality = GPUSysfs.locality(of: address, sysfs)
        var diagnostics: [GPUDiagnostic] = []
        var localCPUs: CPUSet?
        var numaNode = locality.numaNode
        var unknownReason: String?
        if let node = locality.numaNode, node < 0 {
            numaNode = nil
            unknownReason = "numa_node = \(node)"
        } else if let nvmlCPUs {
            localCPUs = nvmlCPUs
            if let sysfsCPUs = locality.localCPUs, sysfsCPUs != nvmlCPUs {
                diagnostics.append(
                    .warning(
                        "GPU \(address): NVML reports local CPUs \(nvmlCPUs) but sysfs local_cpulist says "
                            + "\(sysfsCPUs); using NVML's."
                    )
                )
            }
        } else if let sysfsCPUs = locality.localCPUs, !sysfsCPUs.isEmpty {
            localCPUs = sysfsCPUs
        } else {
            unknownReason = [nvmlFailure, "no local_cpulist in sysfs"].compactMap { $0 }.joined(separator: "; ")
        }
        let device = GPUDevice(
            index: index,
            uuid: uuid,
            name: name,
            pciBusID: address.sysfsName,
            numaNode: numaNode,
            localCPUs: localCPUs,
            localityUnknownReason: unknownReason
        )
        return Entry(device: device, diagnostics: diagnostics)
    }

    private static func unavailable(_ reason: String, key: String?, value: String?, source: String?) -> LoomError {
        LoomError(
            .cudaUnavailable,
            description: "No NVIDIA GPU found: \(reason)"
                + GPULocator.attribution(key: key, value: value, source: source),
            reason: reason,
            key: key,
            value: value,
            source: source
        )
    }
}
