import LoomSystem

extension GPUDevice {
    /// The `gpu` object of `loom info --json`: `{index, uuid, name, pci_bus_id, local_cpus}` (`local_cpus` is
    /// `null` when the locality is unknown).
    package var infoJSON: JSONText {
        .object([
            ("index", .int(self.index)),
            ("uuid", .string(self.uuid)),
            ("name", .string(self.name)),
            ("pci_bus_id", .string(self.pciBusID)),
            ("local_cpus", self.localCPUs.map { .string($0.description) } ?? .null),
        ])
    }

    /// One line of `loom info --list-gpus`.
    package var infoLine: String {
        let node = self.numaNode.map { "NUMA node \($0)" } ?? "NUMA node unknown"
        let local = self.localCPUs.map { "local CPUs \($0)" } ?? "local CPUs unknown"
        let uuid = self.uuid.isEmpty ? "" : " \(self.uuid)"
        return "GPU \(self.index): \(self.name) \(self.pciBusID)\(uuid), \(node), \(local)"
    }

    /// `loom info --list-gpus`: one line per GPU, or a JSON array of the `gpu` objects.
    package static func listing(_ devices: [GPUDevice], json: Bool) -> String {
        if json { return JSONText.array(devices.map(\.infoJSON)).rendered() }
        if devices.isEmpty { return "No NVIDIA GPU found." }
        return devices.map(\.infoLine).joined(separator: "\n")
    }
}
