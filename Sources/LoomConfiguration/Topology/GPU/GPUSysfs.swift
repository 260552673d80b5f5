/// NVIDIA GPUs and PCI device locality as sysfs and procfs describe them, read through a ``SysfsReader``.
///
/// - `/sys/bus/pci/devices/<bus-id>/{vendor,class,device}` identify NVIDIA GPUs (vendor `0x10de`, class
///   `0x0300xx` VGA or `0x0302xx` 3D controller) without NVML.
/// - `/sys/bus/pci/devices/<bus-id>/{numa_node,local_cpulist}` give a device's locality. The kernel writes the
///   online CPUs to `local_cpulist` when `numa_node` is `-1`, so `-1` means "unknown", never "all CPUs are local"
///   (drivers/pci/pci-sysfs.c).
/// - `/proc/driver/nvidia/gpus/<bus-id>/information` has `Model:` and `GPU UUID:` lines when the driver is loaded.
import LoomSystem

enum GPUSysfs {
    static let pciDevices = "/sys/bus/pci/devices"
    static let nvidiaGPUs = "/proc/driver/nvidia/gpus"
    static let nvidiaVendor = "0x10de"

    /// A GPU found in sysfs.
    struct Device: Sendable, Equatable {
        var address: PCIAddress
        var uuid: String?
        var model: String?
        var deviceID: String?

        /// The model from `/proc/driver/nvidia`, else `NVIDIA GPU [10de:2330]` from the PCI device id.
        var displayName: String {
            if let model { return model }
            let id = self.deviceID.map { $0.lowercased().hasPrefix("0x") ? String($0.dropFirst(2)) : $0 } ?? "?"
            return "NVIDIA GPU [10de:\(id)]"
        }
    }

    /// What sysfs says about one PCI device's locality.
    struct Locality: Sendable, Equatable {
        /// `numa_node` as written (`-1` when the platform does not say), `nil` if absent.
        var numaNode: Int?
        /// `local_cpulist`, `nil` if absent or unparsable.
        var localCPUs: CPUSet?
    }

    /// NVIDIA display and 3D controllers, in PCI address order (the order NVML numbers them in).
    static func nvidiaDevices(_ sysfs: SysfsReader) -> [Device] {
        var information: [PCIAddress: (uuid: String?, model: String?)] = [:]
        for name in sysfs.listDirectory(Self.nvidiaGPUs) {
            guard let address = PCIAddress(parsing: name),
                let text = sysfs.readString("\(Self.nvidiaGPUs)/\(name)/information")
            else { continue }
            information[address] = (Self.field("GPU UUID", in: text), Self.field("Model", in: text))
        }
        var devices: [Device] = []
        for name in sysfs.listDirectory(Self.pciDevices) {
            guard let address = PCIAddress(parsing: name) else { continue }
            let directory = "\(Self.pciDevices)/\(name)"
            guard sysfs.readTrimmed("\(directory)/vendor")?.lowercased() == Self.nvidiaVendor,
                let pciClass = sysfs.readTrimmed("\(directory)/class")?.lowercased(),
                pciClass.hasPrefix("0x0300") || pciClass.hasPrefix("0x0302")
            else { continue }
            let info = information[address]
            devices.append(
                Device(
                    address: address,
                    uuid: info?.uuid,
                    model: info?.model,
                    deviceID: sysfs.readTrimmed("\(directory)/device")
                )
            )
        }
        return devices.sorted { $0.address < $1.address }
    }

    /// `numa_node` and `local_cpulist` of the device at `address`.
    static func locality(of address: PCIAddress, _ sysfs: SysfsReader) -> Locality {
        let directory = "\(Self.pciDevices)/\(address.sysfsName)"
        let numaNode = sysfs.readTrimmed("\(directory)/numa_node").flatMap { Int($0) }
        let localCPUs = sysfs.readString("\(directory)/local_cpulist").flatMap { try? CPUSet(parsing: $0) }
        return Locality(numaNode: numaNode, localCPUs: localCPUs)
    }

    /// The value of a `Key: value` line, trimmed, or `nil`.
    private static func field(_ key: String, in text: String) -> String? {
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingWhitespace
            guard trimmed.hasPrefix(key + ":") else { continue }
            let value = trimmed.dropFirst(key.count + 1).trimmingWhitespace
            return value.isEmpty ? nil : value
        }
        return nil
    }
}
