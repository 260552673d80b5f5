import ArgumentParser
import LoomConfiguration
import LoomSystem

/// Loom's command-line flags, to add to your own command with `@OptionGroup`.
///
/// ```swift
/// @main
/// struct Server: ParsableCommand {
///     @OptionGroup(title: "Loom runtime options") var loom: LoomArguments
///
///     func run() throws {
///         let runtime = try LoomBuilder().envPrefix("LOOM").withCLIArgs(loom).build()
///         // ...
///     }
/// }
/// ```
///
/// | flag | key |
/// |---|---|
/// | `--loom-prefix <prefix>` | `prefix` |
/// | `--loom-cpuset <cpus>` | `cpuset` |
/// | `--loom-async-threads <n>` (hidden alias `--loom-tokio-threads`) | `async_threads` |
/// | `--loom-compute-threads <n>` (hidden alias `--loom-rayon-threads`) | `compute_threads` |
/// | `--loom-pin-threads` / `--no-loom-pin-threads` | `pin_threads` |
/// | `--loom-cuda-device <ordinal-or-uuid>` | `cuda_device` |
/// | `--loom-watchdog <seconds>` | `watchdog` |
/// | `--loom-blocking-threads <n>` | `blocking_threads` |
/// | `--loom-statistics` / `--no-loom-statistics` | `statistics` |
/// | `--loom-metrics-interval <seconds>` | `metrics_interval` |
/// | `--loom-console <path>` | `console` |
/// | `--loom-share-async-cpus` / `--no-loom-share-async-cpus` | `share_async_cpus` |
/// | `--loom-config <path>` | a configuration file (`.toml`, `.yaml`/`.yml`, `.json`), read as a file layer |
///
/// Flags win over every other source. ArgumentParser itself rejects a count that is not an integer (exit code
/// 64); a zero or negative count is reported by ``LoomBuilder/resolve()`` as a ``LoomError`` naming the flag.
public struct LoomArguments: ParsableArguments, Sendable {
    /// `--loom-prefix`: the thread-name prefix (key `prefix`).
    @Option(
        name: .customLong("loom-prefix"),
        help: ArgumentHelp("Thread-name prefix (default: loom).", valueName: "prefix")
    )
    public var prefix: String?

    /// `--loom-cpuset`: the CPUs Loom may use, in Linux list format (key `cpuset`).
    @Option(
        name: .customLong("loom-cpuset"),
        help: ArgumentHelp("CPUs to use, e.g. 0-3,8-11 (default: the CPUs this process may use).", valueName: "cpus")
    )
    public var cpuset: String?

    /// `--loom-async-threads`: the number of async pool threads (key `async_threads`).
    @Option(
        name: .customLong("loom-async-threads"),
        help: ArgumentHelp("Async pool threads (default: 1).", valueName: "n")
    )
    public var asyncThreads: Int?

    /// `--loom-tokio-threads`: hidden alias of `--loom-async-threads`, as loom-rs spells it.
    @Option(name: .customLong("loom-tokio-threads"), help: .hidden)
    public var tokioThreads: Int?

    /// `--loom-compute-threads`: the number of compute pool threads (key `compute_threads`).
    @Option(
        name: .customLong("loom-compute-threads"),
        help: ArgumentHelp("Compute pool threads (default: usable CPUs minus async threads).", valueName: "n")
    )
    public var computeThreads: Int?

    /// `--loom-rayon-threads`: hidden alias of `--loom-compute-threads`, as loom-rs spells it.
    @Option(name: .customLong("loom-rayon-threads"), help: .hidden)
    public var rayonThreads: Int?

    /// `--loom-pin-threads` / `--no-loom-pin-threads`: whether threads are pinned to CPUs (key `pin_threads`).
    @Flag(
        name: .customLong("loom-pin-threads"),
        inversion: .prefixedNo,
        help: "Pin each thread to its CPUs (default: on)."
    )
    public var pinThreads: Bool?

    /// `--loom-cuda-device`: a CUDA device ordinal or GPU UUID whose local CPUs to use (key `cuda_device`).
    @Option(
        name: .customLong("loom-cuda-device"),
        help: ArgumentHelp("Use the CPUs local to this CUDA device (ordinal or GPU UUID).", valueName: "device")
    )
    public var cudaDevice: String?

    /// `--loom-watchdog`: seconds without progress before the runtime logs a report (key `watchdog`; 0 turns it off).
    @Option(
        name: .customLong("loom-watchdog"),
        help: ArgumentHelp(
            "Log a report when work waits but nothing completes for this many seconds.",
            valueName: "seconds"
        )
    )
    public var watchdog: Double?

    /// `--loom-blocking-threads`: the size of the blocking pool (key `blocking_threads`).
    @Option(
        name: .customLong("loom-blocking-threads"),
        help: ArgumentHelp("Threads of the blocking pool, for spawnBlocking (default: 4).", valueName: "n")
    )
    public var blockingThreads: Int?

    /// `--loom-statistics` / `--no-loom-statistics`: whether the runtime measures busy time and bridge latencies
    /// (key `statistics`).
    @Flag(
        name: .customLong("loom-statistics"),
        inversion: .prefixedNo,
        help: "Measure busy time and bridge latencies for statistics (default: on)."
    )
    public var statistics: Bool?

    /// `--loom-share-async-cpus` / `--no-loom-share-async-cpus`: whether compute threads borrow the async CPUs at idle
    /// priority (key `share_async_cpus`).
    @Flag(
        name: .customLong("loom-share-async-cpus"),
        inversion: .prefixedNo,
        help: "Let compute threads borrow idle async CPUs at idle priority (default: off)."
    )
    public var shareAsyncCPUs: Bool?

    /// `--loom-metrics-interval`: seconds between two swift-metrics reports (key `metrics_interval`; 0 turns
    /// reporting off).
    @Option(
        name: .customLong("loom-metrics-interval"),
        help: ArgumentHelp("Seconds between two swift-metrics reports (default: 10; 0: off).", valueName: "seconds")
    )
    public var metricsInterval: Double?

    /// `--loom-console`: serve statistics on this Unix socket, for `loom top` (key `console`).
    @Option(
        name: .customLong("loom-console"),
        help: ArgumentHelp("Serve statistics on this Unix socket, for loom top.", valueName: "path")
    )
    public var console: String?

    /// `--loom-config`: a configuration file to read (TOML, YAML or JSON by extension); it must exist.
    @Option(
        name: .customLong("loom-config"),
        help: ArgumentHelp("A Loom configuration file (.toml, .yaml, .yml or .json).", valueName: "path")
    )
    public var config: String?

    /// No flags set.
    public init() {}
}

extension ConfigLayer {
    /// The flags that were given, as raw settings with their flag as the source.
    package static func readCommandLine(_ arguments: LoomArguments) -> [RawSetting] {
        var settings: [RawSetting] = []
        func add(_ key: LoomConfiguration.Key, _ spelling: String, _ value: RawSetting.Value?) {
            guard let value else { return }
            // The flag as it was written: `--no-loom-pin-threads` for pinning turned off.
            let negated = value == .boolean(false) ? "no-" : ""
            let flag = negated + "loom-" + spelling.snakeToKebabCase
            settings.append(RawSetting(key: key, spelling: spelling, value: value, source: .flag(flag)))
        }
        add(.prefix, "prefix", arguments.prefix.map(RawSetting.Value.text))
        add(.cpuset, "cpuset", arguments.cpuset.map(RawSetting.Value.text))
        add(.asyncThreads, "async_threads", arguments.asyncThreads.map(RawSetting.Value.integer))
        add(.asyncThreads, "tokio_threads", arguments.tokioThreads.map(RawSetting.Value.integer))
        add(.computeThreads, "compute_threads", arguments.computeThreads.map(RawSetting.Value.integer))
        add(.computeThreads, "rayon_threads", arguments.rayonThreads.map(RawSetting.Value.integer))
        add(.pinThreads, "pin_threads", arguments.pinThreads.map(RawSetting.Value.boolean))
        add(.cudaDevice, "cuda_device", arguments.cudaDevice.map(RawSetting.Value.text))
        add(.watchdog, "watchdog", arguments.watchdog.map(RawSetting.Value.number))
        add(.blockingThreads, "blocking_threads", arguments.blockingThreads.map(RawSetting.Value.integer))
        add(.statistics, "statistics", arguments.statistics.map(RawSetting.Value.boolean))
        add(.metricsInterval, "metrics_interval", arguments.metricsInterval.map(RawSetting.Value.number))
        add(.console, "console", arguments.console.map(RawSetting.Value.text))
        add(.shareAsyncCPUs, "share_async_cpus", arguments.shareAsyncCPUs.map(RawSetting.Value.boolean))
        return settings
    }
}

extension LoomBuilder {
    /// Applies command-line flags parsed by swift-argument-parser; they override every other source. A
    /// `--loom-config` file is read as a configuration file, after the files given with ``LoomBuilder/file(_:required:)``,
    /// and must exist.
    ///
    /// - Parameter arguments: the parsed ``LoomArguments`` (an `@OptionGroup` of your command).
    /// - Returns: a copy of the builder that applies the flags (replacing flags applied before).
    public func withCLIArgs(_ arguments: LoomArguments) -> LoomBuilder {
        self.with(
            \.commandLine,
            CommandLineLayer(configPath: arguments.config, settings: ConfigLayer.readCommandLine(arguments))
        )
    }
}
