import LoomSystem

extension LoomConfiguration {
    /// A configuration key, spelled as it is in a configuration file.
    ///
    /// The raw value is the snake_case key used in TOML, YAML and JSON files (`compute_threads`). The environment
    /// variable is the raw value in upper case after the prefix (`LOOM_COMPUTE_THREADS` with `.envPrefix("LOOM")`),
    /// the command-line flag is `--loom-` followed by the key with dashes (`--loom-compute-threads`), and a
    /// swift-configuration `ConfigReader` is asked for `loom.computeThreads` and `loom.compute_threads`.
    ///
    /// Two keys have aliases so that a loom-rs configuration file works unchanged: `tokio_threads` for
    /// ``asyncThreads`` and `rayon_threads` for ``computeThreads``.
    public enum Key: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
        /// `prefix`: the thread-name prefix.
        case prefix
        /// `cpuset`: the CPUs Loom may use.
        case cpuset
        /// `async_threads` (alias `tokio_threads`): the number of async pool threads.
        case asyncThreads = "async_threads"
        /// `compute_threads` (alias `rayon_threads`): the number of compute pool threads.
        case computeThreads = "compute_threads"
        /// `pin_threads`: whether each thread is pinned to CPUs.
        case pinThreads = "pin_threads"
        /// `compute_pool_size`: how many completion states the async-to-compute bridge keeps per result type.
        case computePoolSize = "compute_pool_size"
        /// `cuda_device`: the CUDA device whose local CPUs Loom uses.
        case cudaDevice = "cuda_device"
        /// `watchdog`: seconds without progress, while work is waiting, after which the runtime logs a report.
        case watchdog
        /// `blocking_threads`: the number of threads of the blocking pool (`spawnBlocking`, `blockingPool`).
        case blockingThreads = "blocking_threads"
        /// `statistics`: whether the runtime measures time for ``LoomRuntime/statistics()`` (busy/idle time, bridge
        /// latencies); the counters are always kept.
        case statistics
        /// `metrics_interval`: seconds between two reports to swift-metrics (0 turns reporting off).
        case metricsInterval = "metrics_interval"
        /// `console`: the path of a Unix socket on which the runtime serves its statistics to `loom top`.
        case console
        /// `share_async_cpus`: whether compute threads borrow the async CPUs at idle priority.
        case shareAsyncCPUs = "share_async_cpus"

        /// The snake_case key (`compute_threads`).
        public var description: String { self.rawValue }

        /// The loom-rs spelling accepted beside the key (`rayon_threads` for `compute_threads`), if any.
        public var alias: String? {
            switch self {
            case .asyncThreads: "tokio_threads"
            case .computeThreads: "rayon_threads"
            default: nil
            }
        }

        /// The key and its alias, the key first.
        package var spellings: [String] { [self.rawValue] + (self.alias.map { [$0] } ?? []) }

        /// The key for a snake_case spelling (the key itself or its alias), or `nil` when Loom does not know it.
        package init?(spelling: String) {
            guard let key = Self.allCases.first(where: { $0.spellings.contains(spelling) }) else { return nil }
            self = key
        }

        /// Every accepted snake_case spelling, keys and aliases.
        package static let allSpellings: [String] = allCases.flatMap(\.spellings)
    }
}

extension String {
    /// `compute_threads` -> `computeThreads`.
    package var snakeToCamelCase: String {
        let parts = self.split(separator: "_", omittingEmptySubsequences: true)
        guard let first = parts.first else { return self }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `compute_threads` -> `compute-threads`.
    package var snakeToKebabCase: String { self.replacingUnderscores(with: "-") }

    private func replacingUnderscores(with replacement: Character) -> String {
        String(self.map { $0 == "_" ? replacement : $0 })
    }
}
