import LoomSystem

extension LoomConfiguration {
    /// What `loom info` prints: each value with its source, the CPUs, the plan and the GPU, as aligned text.
    /// Warnings are not included (the command prints them to standard error).
    package var infoText: String {
        var lines: [String] = ["Configuration"]
        let rows = Key.allCases.map { key in (key.rawValue, self.displayValue(of: key), self.source(of: key)) }
        let keyWidth = rows.map(\.0.count).max() ?? 0
        let valueWidth = rows.map(\.1.count).max() ?? 0
        for (key, value, source) in rows {
            lines.append("  \(key.padded(to: keyWidth))  \(value.padded(to: valueWidth))  \(source.description)")
        }

        lines.append("CPUs")
        lines.append("  allowed  \(Self.cpuText(self.allowedCPUs))")
        lines.append("  usable   \(Self.cpuText(self.usableCPUs))")
        lines.append("  async    \(Self.cpuText(self.asyncCPUs))")
        lines.append("  compute  \(Self.cpuText(self.computeCPUs))")
        if !self.borrowedCPUs.isEmpty {
            lines.append("  borrowed \(Self.cpuText(self.borrowedCPUs)) (async CPUs, by idle-priority compute threads)")
        }

        if let gpu = self.gpu {
            lines.append("GPU")
            lines.append("  index       \(gpu.index)")
            lines.append("  uuid        \(gpu.uuid)")
            lines.append("  name        \(gpu.name)")
            lines.append("  pci bus id  \(gpu.pciBusID)")
            lines.append("  numa node   \(gpu.numaNode.map(String.init) ?? "unknown")")
            lines.append("  local CPUs  \(gpu.localCPUs.map(Self.cpuText) ?? "unknown")")
        }

        lines.append("Threads")
        let header = ("name", "kernel name", "pool", "CPUs")
        let threadRows = self.threads.map { ($0.name, $0.kernelName, $0.pool.rawValue, Self.cpuText($0.cpus)) }
        let nameWidth = ([header.0] + threadRows.map(\.0)).map(\.count).max()!
        let kernelWidth = ([header.1] + threadRows.map(\.1)).map(\.count).max()!
        let poolWidth = ([header.2] + threadRows.map(\.2)).map(\.count).max()!
        for row in [header] + threadRows {
            lines.append(
                "  \(row.0.padded(to: nameWidth))  \(row.1.padded(to: kernelWidth))  \(row.2.padded(to: poolWidth))"
                    + "  \(row.3)"
            )
            if let thread = self.threads.first(where: { $0.name == row.0 }), thread.priority == .idle {
                lines[lines.count - 1] += "  (idle priority)"
            }
        }
        return lines.joined(separator: "\n")
    }

    /// What `loom info --json` prints: one object with the configuration keys, `allowed_cpus`, `async_cpus`,
    /// `compute_cpus`, `borrowed_cpus`, `sources`, `threads` (each with its `priority`) and, when a CUDA device is selected and located, `gpu`.
    package var infoJSON: String {
        var members: [(String, JSONText)] = [
            (Key.prefix.rawValue, .string(self.prefix)),
            (Key.cpuset.rawValue, self.cpuset.map { .string($0.description) } ?? .null),
            (Key.asyncThreads.rawValue, .int(self.asyncThreads)),
            (Key.computeThreads.rawValue, .int(self.computeThreads)),
            (Key.pinThreads.rawValue, .bool(self.pinThreads)),
            (Key.computePoolSize.rawValue, .int(self.computePoolSize)),
            (Key.cudaDevice.rawValue, self.cudaDevice.map(Self.json) ?? .null),
            (Key.watchdog.rawValue, self.watchdog.map { .double($0.inSeconds) } ?? .null),
            (Key.blockingThreads.rawValue, .int(self.blockingThreads)),
            (Key.statistics.rawValue, .bool(self.statistics)),
            (Key.metricsInterval.rawValue, self.metricsInterval.map { .double($0.inSeconds) } ?? .null),
            (Key.console.rawValue, self.console.map { .string($0) } ?? .null),
            (Key.shareAsyncCPUs.rawValue, .bool(self.shareAsyncCPUs)),
            ("allowed_cpus", .string(self.allowedCPUs.description)),
            ("async_cpus", .string(self.asyncCPUs.description)),
            ("compute_cpus", .string(self.computeCPUs.description)),
            ("borrowed_cpus", .string(self.borrowedCPUs.description)),
            ("sources", .object(Key.allCases.map { ($0.rawValue, .string(self.source(of: $0).kind.rawValue)) })),
            (
                "threads",
                .array(
                    self.threads.map { thread in
                        .object([
                            ("name", .string(thread.name)),
                            ("kernel_name", .string(thread.kernelName)),
                            ("pool", .string(thread.pool.rawValue)),
                            ("cpus", .string(thread.cpus.description)),
                            ("priority", .string(thread.priority.rawValue)),
                        ])
                    }
                )
            ),
        ]
        if let gpu = self.gpu {
            members.append(("gpu", gpu.infoJSON))
        }
        return JSONText.object(members).rendered()
    }

    private static func json(_ selector: CUDADeviceSelector) -> JSONText {
        switch selector {
        case .ordinal(let ordinal): .int(ordinal)
        case .uuid(let uuid): .string(uuid)
        }
    }

    /// The value of `key` as `loom info` shows it.
    private func displayValue(of key: Key) -> String {
        switch key {
        case .prefix: self.prefix.escapingControlCharacters
        case .cpuset: self.cpuset.map(\.description) ?? "(allowed CPUs)"
        case .asyncThreads: "\(self.asyncThreads)"
        case .computeThreads: "\(self.computeThreads)"
        case .pinThreads: "\(self.pinThreads)"
        case .computePoolSize: "\(self.computePoolSize)"
        case .cudaDevice: self.cudaDevice.map(\.description) ?? "(none)"
        case .watchdog: self.watchdog.map { "\($0.inSeconds) s" } ?? "(off)"
        case .blockingThreads: "\(self.blockingThreads)"
        case .statistics: "\(self.statistics)"
        case .metricsInterval: self.metricsInterval.map { "\($0.inSeconds) s" } ?? "(off)"
        case .console: self.console?.escapingControlCharacters ?? "(off)"
        case .shareAsyncCPUs:
            self.borrowedCPUs.isEmpty
                ? "\(self.shareAsyncCPUs)" : "\(self.shareAsyncCPUs) (borrows CPUs \(self.borrowedCPUs))"
        }
    }

    /// A duration in seconds.
    private static func cpuText(_ cpus: CPUSet) -> String { cpus.isEmpty ? "-" : cpus.description }
}

extension String {
    fileprivate func padded(to width: Int) -> String {
        self.count >= width ? self : self + String(repeating: " ", count: width - self.count)
    }
}
