/// Configures a Loom runtime from defaults, files, the environment, code and command-line flags.
///
/// `LoomBuilder` is a value type: every method returns a modified copy, so a partly configured builder can be
/// shared and extended. The precedence of the sources is fixed, whatever order the calls are written in (later
/// rows win):
///
/// 1. defaults;
/// 2. configuration files, in the order given (``file(_:required:)``, then `--loom-config`);
/// 3. environment variables (``envPrefix(_:)``);
/// 4. the application's swift-configuration reader (``configReader(_:)``);
/// 5. the setters (``prefix(_:)``, ``computeThreads(_:)``, ...);
/// 6. command-line flags (``withCLIArgs(_:)``).
///
/// ```swift
/// let configuration = try LoomBuilder()
///     .file("/etc/myapp/loom.toml", required: false)
///     .envPrefix("LOOM")
///     .prefix("myapp")
///     .asyncThreads(2)
///     .resolve()
/// ```
///
/// ``resolve()`` checks every value and computes the CPU plan without starting a thread.
import LoomSystem

public struct LoomBuilder: Sendable {
    /// Maps a CUDA device to its GPU and local CPUs: the selector, the environment (for `CUDA_VISIBLE_DEVICES`,
    /// `LOOM_NVML_LIBRARY`) and the sysfs reader in, the device and any warnings out.
    package typealias GPUResolver =
        @Sendable (CUDADeviceSelector, [String: String], SysfsReader) throws(LoomError) -> (GPUDevice, [String])

    package var files: [ConfigFile] = []
    package var environmentPrefix: String?
    /// Reads the application's swift-configuration reader (set by ``configReader(_:)``, trait `SwiftConfiguration`).
    package var readerSettings: (@Sendable () -> [RawSetting])?
    package var codeSettings: [LoomConfiguration.Key: RawSetting] = [:]
    /// The command-line layer (set by `withCLIArgs(_:)` in `LoomArgumentParser`).
    package var commandLine: CommandLineLayer?
    package var environmentOverride: [String: String]?
    package var allowedCPUsOverride: CPUSet?
    package var sysfsOverride: SysfsReader?
    /// Replaces ``GPULocator`` (tests inject a fake locator here).
    package var gpuResolver: GPUResolver?
    /// The logger `logger(_:)` (module `Loom`) set, if any: a swift-log `Logger`, kept type-erased so that this
    /// module does not depend on swift-log.
    package var runtimeLoggerBox: (any Sendable)?
    /// The swift-metrics factory `metricsFactory(_:)` (module `Loom`) set, if any, type-erased likewise.
    package var runtimeMetricsFactoryBox: (any Sendable)?
    /// The hooks set by ``onThreadStart(_:)`` and ``onThreadExit(_:)``.
    package var threadHooks = LoomThreadHooks()

    /// A builder with nothing configured: every value is its default and no file or variable is read.
    public init() {}

    // MARK: Thread hooks (code only)

    /// Sets code to run on each of the runtime's async and compute threads as it starts, before its first job
    /// (rayon's `start_handler`, tokio's `on_thread_start`). There is no key, variable or flag for it: it is code.
    ///
    /// ```swift
    /// let runtime = try LoomBuilder()
    ///     .onThreadStart { thread in
    ///         if thread.pool == .compute { Arena.reserve(for: thread.index) }
    ///     }
    ///     .build()
    /// ```
    ///
    /// The hook gets the thread's ``LoomThreadInfo`` (pool, index, name, the CPUs it really runs on). It runs on the
    /// new thread while ``build()`` is still starting the others, so `LoomRuntime.current` is not set yet inside it;
    /// `build()` returns once the threads have started, not necessarily after every hook has returned, and a thread
    /// takes its first job only after its hook. Blocking, I/O and helper threads do not run it. See
    /// ``LoomThreadHooks``.
    ///
    /// - Parameter hook: called once per thread, on that thread.
    /// - Returns: a copy of the builder with the hook set (replacing an earlier one).
    public func onThreadStart(_ hook: @escaping @Sendable (LoomThreadInfo) -> Void) -> LoomBuilder {
        var copy = self
        copy.threadHooks.onStart = hook
        return copy
    }

    /// Sets code to run on each of the runtime's async and compute threads after its last job, while the runtime
    /// closes (rayon's `exit_handler`, tokio's `on_thread_stop`). ``LoomRuntime/close()`` returns after every hook
    /// has returned. See ``onThreadStart(_:)``.
    ///
    /// - Parameter hook: called once per thread, on that thread.
    /// - Returns: a copy of the builder with the hook set (replacing an earlier one).
    public func onThreadExit(_ hook: @escaping @Sendable (LoomThreadInfo) -> Void) -> LoomBuilder {
        var copy = self
        copy.threadHooks.onExit = hook
        return copy
    }

    // MARK: Setters (the "code" layer)

    /// Sets the thread-name prefix (key `prefix`; default `"loom"`).
    ///
    /// Threads are named `{prefix}-async-NNNN` and `{prefix}-compute-NNNN`; Linux shows a shortened form of at
    /// most 15 bytes (see ``LoomThreadInfo``).
    ///
    /// - Parameter prefix: a non-empty name without control characters.
    /// - Returns: a copy of the builder with the prefix set.
    public func prefix(_ prefix: String) -> LoomBuilder {
        self.setting(.prefix, .string(prefix), method: "prefix")
    }

    /// Sets the CPUs Loom may use, in Linux list format (key `cpuset`; default: the CPUs the process may use).
    ///
    /// - Parameter cpuset: for example `"0-3,8-11"` or `"0-15:2"`; every CPU must be one the process may use.
    /// - Returns: a copy of the builder with the cpuset set.
    public func cpuset(_ cpuset: String) -> LoomBuilder {
        self.setting(.cpuset, .string(cpuset), method: "cpuset")
    }

    /// Sets the number of async pool threads (key `async_threads`; default 1).
    ///
    /// - Parameter count: at least 1.
    /// - Returns: a copy of the builder with the count set.
    public func asyncThreads(_ count: Int) -> LoomBuilder {
        self.setting(.asyncThreads, .integer(count), method: "asyncThreads")
    }

    /// Sets the number of compute pool threads (key `compute_threads`; default: the usable CPUs minus the async
    /// threads, at least 1).
    ///
    /// - Parameter count: at least 1. More threads than CPUs is allowed (the threads share the pool's CPUs).
    /// - Returns: a copy of the builder with the count set.
    public func computeThreads(_ count: Int) -> LoomBuilder {
        self.setting(.computeThreads, .integer(count), method: "computeThreads")
    }

    /// Turns pinning on or off (key `pin_threads`; default `true`).
    ///
    /// - Parameter pin: `false` leaves the threads free to run on any CPU.
    /// - Returns: a copy of the builder with the flag set.
    public func pinThreads(_ pin: Bool) -> LoomBuilder {
        self.setting(.pinThreads, .boolean(pin), method: "pinThreads")
    }

    /// Sets `compute_pool_size` (default 64), loom-rs's bridge-state pool size. Loom accepts and validates it for
    /// compatibility, but its bridge keeps no pooled state, so the value changes nothing (see
    /// ``LoomConfiguration/computePoolSize``).
    ///
    /// - Parameter size: at least 1.
    /// - Returns: a copy of the builder with the size set.
    public func computePoolSize(_ size: Int) -> LoomBuilder {
        self.setting(.computePoolSize, .integer(size), method: "computePoolSize")
    }

    /// Uses the CPUs local to a CUDA device, by ordinal (key `cuda_device`).
    ///
    /// The ordinal is the one a CUDA program passes to `cudaSetDevice`, so it honours `CUDA_VISIBLE_DEVICES`.
    ///
    /// - Parameter id: a CUDA device ordinal, 0 or more.
    /// - Returns: a copy of the builder with the device set.
    public func cudaDevice(id: Int) -> LoomBuilder {
        self.setting(.cudaDevice, .integer(id), method: "cudaDevice(id:)")
    }

    /// Uses the CPUs local to a CUDA device, by UUID (key `cuda_device`).
    ///
    /// - Parameter uuid: a GPU UUID (`GPU-8932f937-…`), a unique prefix of one, or a MIG UUID (`MIG-…`).
    /// - Returns: a copy of the builder with the device set.
    public func cudaDevice(uuid: String) -> LoomBuilder {
        self.setting(.cudaDevice, .string(uuid), method: "cudaDevice(uuid:)")
    }

    /// Turns on the watchdog (key `watchdog`; default: off): when work is waiting — a job queued, or a tracked task in
    /// flight — and no job completes on any of the runtime's threads for `interval`, the runtime logs one report
    /// (``LoomRuntime/diagnostics()``: each thread's state, the queues, the sleep protocol, the tracked counts), and
    /// one more each time it stalls again after making progress.
    ///
    /// The check runs on a thread of its own (`{prefix}-watchdog`), a few times per interval; it costs nothing on the
    /// runtime's own threads. A task that legitimately waits a long time (for a timer or a socket) while nothing
    /// else runs also draws a report, which says so: nothing is queued.
    ///
    /// - Parameter interval: how long without progress counts as a stall; `.zero` turns the watchdog off.
    /// - Returns: a copy of the builder with the watchdog set.
    public func watchdog(_ interval: Duration) -> LoomBuilder {
        self.setting(.watchdog, .number(interval.inSeconds), method: "watchdog")
    }

    /// Sets the size of the blocking pool (key `blocking_threads`; default
    /// ``LoomConfiguration/defaultBlockingThreads``): how many `spawnBlocking` calls (and users of
    /// `runtime.blockingPool`) may run at once. See ``LoomConfiguration/blockingThreads``.
    ///
    /// - Parameter count: at least 1, at most 4 096.
    /// - Returns: a copy of the builder with the count set.
    public func blockingThreads(_ count: Int) -> LoomBuilder {
        self.setting(.blockingThreads, .integer(count), method: "blockingThreads")
    }

    /// Turns the time measurements of ``LoomRuntime/statistics()`` on or off (key `statistics`; default: on): busy
    /// and idle time per thread and the bridge's latency histograms. See ``LoomConfiguration/statistics``.
    ///
    /// - Parameter enabled: `false` saves two clock reads per park and per timed bridge call (one in 8).
    /// - Returns: a copy of the builder with the setting.
    public func statistics(_ enabled: Bool) -> LoomBuilder {
        self.setting(.statistics, .boolean(enabled), method: "statistics")
    }

    /// Lets compute threads borrow the async pool's CPUs when async work leaves them idle (key `share_async_cpus`;
    /// default: off). See ``LoomConfiguration/shareAsyncCPUs``.
    ///
    /// - Parameter enabled: `true` adds, by default, one compute thread per async CPU that runs at an idle priority,
    ///   which an async or I/O thread waking on its CPU usually preempts at once.
    /// - Returns: a copy of the builder with the setting.
    public func shareAsyncCPUs(_ enabled: Bool) -> LoomBuilder {
        self.setting(.shareAsyncCPUs, .boolean(enabled), method: "shareAsyncCPUs")
    }

    /// Sets how often the runtime reports to swift-metrics (key `metrics_interval`; default
    /// ``LoomConfiguration/defaultMetricsInterval``). See ``LoomConfiguration/metricsInterval``.
    ///
    /// - Parameter interval: the time between two reports; `.zero` turns reporting off.
    /// - Returns: a copy of the builder with the interval set.
    public func metricsInterval(_ interval: Duration) -> LoomBuilder {
        self.setting(.metricsInterval, .number(interval.inSeconds), method: "metricsInterval")
    }

    /// Serves the runtime's statistics on a Unix socket at `path`, for `loom top --attach path` (key `console`;
    /// default: off). See ``LoomConfiguration/console``.
    ///
    /// - Parameter path: where to create the socket (at most 107 bytes).
    /// - Returns: a copy of the builder with the console set.
    public func console(path: String) -> LoomBuilder {
        self.setting(.console, .string(path), method: "console(path:)")
    }

    package func setting(_ key: LoomConfiguration.Key, _ value: RawSetting.Value, method: String) -> LoomBuilder {
        var copy = self
        copy.codeSettings[key] = RawSetting(key: key, value: value, source: .code(method))
        return copy
    }

    // MARK: Sources

    /// Reads a configuration file: TOML, YAML or JSON, chosen by the extension (`.toml`, `.yaml`/`.yml`,
    /// `.json`), with the snake_case keys at the top level (`compute_threads = 6`). A loom-rs `config.toml`
    /// (`tokio_threads`, `rayon_threads`, ...) works unchanged.
    ///
    /// Files are read in the order given; a later file overrides an earlier one, and the environment, code and
    /// flags override every file. An unknown key is an error, with a "did you mean" suggestion.
    ///
    /// - Parameters:
    ///   - path: the file's path, relative to the working directory or absolute.
    ///   - required: when `false`, a missing file is skipped; when `true` (the default), it is an error.
    /// - Returns: a copy of the builder that reads the file.
    public func file(_ path: String, required: Bool = true) -> LoomBuilder {
        var copy = self
        copy.files.append(ConfigFile(path: path, required: required, origin: "code (LoomBuilder.file)"))
        return copy
    }

    /// Reads environment variables named `{PREFIX}_{KEY}`: with `"LOOM"`, `LOOM_PREFIX`, `LOOM_CPUSET`,
    /// `LOOM_ASYNC_THREADS` (alias `LOOM_TOKIO_THREADS`), `LOOM_COMPUTE_THREADS` (alias `LOOM_RAYON_THREADS`),
    /// `LOOM_PIN_THREADS`, `LOOM_COMPUTE_POOL_SIZE` and `LOOM_CUDA_DEVICE`.
    ///
    /// Integers are decimal; booleans are `true/false/1/0/yes/no/on/off` in any case. A variable with the prefix
    /// that names no key (`LOOM_COMPUTE_THREAD`) is not an error, since other tools may share the prefix, but it
    /// is reported in ``LoomConfiguration/warnings`` with the closest name. Without this call the environment is
    /// not read.
    ///
    /// - Parameter prefix: the variables' prefix, without or with the trailing underscore (`"LOOM"`, `"LOOM_"`).
    /// - Returns: a copy of the builder that reads the environment.
    public func envPrefix(_ prefix: String) -> LoomBuilder {
        self.with(\.environmentPrefix, prefix)
    }

    /// A copy of the builder with one property changed (every setter returns a modified copy).
    package func with<Value>(_ property: WritableKeyPath<LoomBuilder, Value>, _ value: Value) -> LoomBuilder {
        var copy = self
        copy[keyPath: property] = value
        return copy
    }

    // MARK: Injection (tests, tools)

    /// Uses `variables` instead of the process environment (for `envPrefix` and `LOOM_SYSFS_ROOT`).
    package func environment(_ variables: [String: String]) -> LoomBuilder {
        self.with(\.environmentOverride, variables)
    }

    /// Uses `cpus` as the process's allowed CPUs instead of asking the kernel.
    package func allowedCPUs(_ cpus: CPUSet) -> LoomBuilder {
        self.with(\.allowedCPUsOverride, cpus)
    }

    /// Reads the topology through `reader` instead of the one `LOOM_SYSFS_ROOT` selects.
    package func sysfs(_ reader: SysfsReader) -> LoomBuilder {
        self.with(\.sysfsOverride, reader)
    }

    /// Maps a selected CUDA device with `resolver` instead of ``GPULocator``.
    package func resolvingGPU(with resolver: GPUResolver?) -> LoomBuilder {
        self.with(\.gpuResolver, resolver)
    }
}

/// The command-line layer of a ``LoomBuilder``: what a command-line integration (`LoomArgumentParser`'s
/// `withCLIArgs(_:)`) parsed, in the form the builder merges.
package struct CommandLineLayer: Sendable {
    /// A `--loom-config` file, read after the builder's other files; it must exist.
    package var configPath: String?
    /// The flags given, with their spelling and source.
    package var settings: [RawSetting]

    package init(configPath: String?, settings: [RawSetting]) {
        self.configPath = configPath
        self.settings = settings
    }
}
