/// Selection: CUDA ordinals through `CUDA_VISIBLE_DEVICES`, UUIDs, UUID prefixes and MIG instances.
import LoomSystem

extension GPULocator {
    /// How a UUID, prefix or MIG id matched the inventory.
    enum UUIDMatch: Equatable {
        case found(Int)
        case notFound
        case ambiguous([Int])
        case migUnresolved(String)
    }

    /// `CUDA_VISIBLE_DEVICES` resolved against the inventory.
    struct VisibleDevices {
        /// The visible GPUs in CUDA ordinal order: inventory entry, the token naming it, and whether that token
        /// was an index (so the mapping depends on `CUDA_DEVICE_ORDER`).
        var entries: [(entry: Int, token: String, byIndex: Bool)]
        /// The first entry that names no GPU, where CUDA stops reading; `nil` if every entry was used.
        var stoppedAt: String?
    }

    /// The entries of a `CUDA_VISIBLE_DEVICES` value, trimmed. An empty value has none.
    static func tokens(of value: String) -> [String] {
        guard !value.trimmingWhitespace.isEmpty else { return [] }
        return value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
    }

    /// `MIG-<uuid>` (R470+ drivers, what `nvidia-smi -L` prints), which only NVML can resolve; the older
    /// `MIG-GPU-<uuid>/<gi>/<ci>` form names its parent GPU and is resolved without NVML.
    static func isMIGInstanceUUID(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("mig-") && !lowered.hasPrefix("mig-gpu-")
    }

    /// Reads `CUDA_VISIBLE_DEVICES` as CUDA does: a comma-separated list of NVML indices, GPU UUIDs or unique
    /// prefixes, and MIG ids, kept in list order (never sorted), ending at the first entry that names no GPU (an
    /// invalid entry, an unknown or ambiguous UUID, an index NVML does not list, or a GPU listed twice).
    static func visibleDevices(_ value: String, in inventory: GPUInventory) -> VisibleDevices {
        var visible = VisibleDevices(entries: [], stoppedAt: nil)
        for token in Self.tokens(of: value) {
            var found: Int?
            var byIndex = false
            if !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                byIndex = true
                if token.utf8.count <= 9, let index = Int(token) {
                    found = inventory.entries.firstIndex { $0.device.index == index }
                }
            } else if token.lowercased().hasPrefix("gpu-") || token.lowercased().hasPrefix("mig-") {
                if case .found(let entry) = Self.match(token, in: inventory) { found = entry }
            }
            guard let found, !visible.entries.contains(where: { $0.entry == found }) else {
                visible.stoppedAt = token
                break
            }
            visible.entries.append((found, token, byIndex))
        }
        return visible
    }

    /// Matches a full UUID, a unique prefix of one (case-insensitive), or a MIG id (via its parent GPU).
    static func match(_ text: String, in inventory: GPUInventory) -> UUIDMatch {
        let lowered = text.lowercased()
        var wanted = lowered
        var exact = false
        if lowered.hasPrefix("mig-gpu-") {
            // MIG-GPU-<uuid>/<gi>/<ci>: the parent GPU is spelled out.
            wanted = String(lowered.dropFirst(4).prefix { $0 != "/" })
            exact = true
        } else if lowered.hasPrefix("mig-") {
            guard case .nvml = inventory.source else {
                return .migUnresolved("MIG instance UUIDs can only be resolved through NVML, which is not available")
            }
            switch inventory.migParents[text] {
            case .parent(let uuid): wanted = uuid.lowercased()
            case .notFound, nil: return .notFound
            case .failed(let reason): return .migUnresolved(reason)
            }
            exact = true
        }
        guard !wanted.isEmpty else { return .notFound }
        let matches = inventory.entries.indices.filter { index in
            let uuid = inventory.entries[index].device.uuid.lowercased()
            return !uuid.isEmpty && (exact ? uuid == wanted : uuid.hasPrefix(wanted))
        }
        switch matches.count {
        case 0: return .notFound
        case 1: return .found(matches[0])
        default: return .ambiguous(matches)
        }
    }

    /// The inventory entry for a UUID selector.
    static func select(uuid text: String, in inventory: GPUInventory, source: String?) throws(LoomError) -> Int {
        let visible = inventory.entries.map { Self.label($0.device) }.joined(separator: ", ")
        switch Self.match(text, in: inventory) {
        case .found(let entry):
            return entry
        case .notFound:
            throw Self.notFound(
                "No GPU with UUID \"\(text)\" is visible (visible: \(visible)).",
                value: text,
                source: source
            )
        case .ambiguous(let entries):
            let matching = entries.map { Self.label(inventory.entries[$0].device) }.joined(separator: ", ")
            throw Self.notFound(
                "UUID prefix \"\(text)\" matches \(entries.count) GPUs (\(matching)); give more digits.",
                value: text,
                source: source
            )
        case .migUnresolved(let reason):
            throw Self.notFound(
                "Cannot resolve MIG instance \"\(text)\" to its GPU: \(reason). Select the GPU by its UUID instead "
                    + "(visible: \(visible)).",
                value: text,
                source: source
            )
        }
    }

    /// The inventory entry for a CUDA ordinal.
    static func select(
        ordinal: Int,
        in inventory: GPUInventory,
        environment: [String: String],
        source: String?,
        diagnostics: inout [GPUDiagnostic]
    ) throws(LoomError) -> Int {
        let value = environment["CUDA_VISIBLE_DEVICES"]
        let entry: Int
        let byIndex: Bool
        if let value {
            let visible = Self.visibleDevices(value, in: inventory)
            let stop = visible.stoppedAt.map { " CUDA stops at entry \"\($0)\", which names no visible GPU." } ?? ""
            guard ordinal >= 0, ordinal < visible.entries.count else {
                throw Self.notFound(
                    "CUDA device ordinal \(ordinal) is out of range: \(visible.entries.count) device(s) visible "
                        + "(CUDA_VISIBLE_DEVICES=\"\(value)\").\(stop)",
                    value: "\(ordinal)",
                    source: source
                )
            }
            if !stop.isEmpty {
                diagnostics.append(
                    .warning(
                        "CUDA_VISIBLE_DEVICES=\"\(value)\":\(stop) Only \(visible.entries.count) device(s) are "
                            + "visible to CUDA."
                    )
                )
            }
            (entry, byIndex) = (visible.entries[ordinal].entry, visible.entries[ordinal].byIndex)
        } else {
            guard let found = inventory.entries.firstIndex(where: { $0.device.index == ordinal }) else {
                throw Self.notFound(
                    "CUDA device ordinal \(ordinal) is out of range: \(inventory.entries.count) device(s) visible "
                        + "(CUDA_VISIBLE_DEVICES is not set).",
                    value: "\(ordinal)",
                    source: source
                )
            }
            (entry, byIndex) = (found, true)
        }
        // CUDA numbers GPUs fastest first unless CUDA_DEVICE_ORDER=PCI_BUS_ID; NVML in PCI order. The two agree
        // when the GPUs are all alike, so the guess is only worth a warning when they are not.
        let names = Set(inventory.entries.map(\.device.name))
        if byIndex && environment["CUDA_DEVICE_ORDER"] != "PCI_BUS_ID" && names.count > 1 {
            diagnostics.append(
                .warning(
                    "CUDA ordinal \(ordinal) mapped to NVML index \(inventory.entries[entry].device.index) assuming "
                        + "PCI bus order; GPUs differ and CUDA_DEVICE_ORDER is not PCI_BUS_ID. Use a UUID or set "
                        + "CUDA_DEVICE_ORDER=PCI_BUS_ID."
                )
            )
        }
        return entry
    }

    private static func notFound(_ description: String, value: String, source: String?) -> LoomError {
        LoomError(
            .cudaDeviceNotFound,
            description: description + Self.attribution(key: Self.key, value: value, source: source),
            reason: description,
            key: Self.key,
            value: value,
            source: source
        )
    }
}
