/// A resolved Loom configuration: every value, where it came from, the CPUs and the per-thread plan.
///
/// ``LoomBuilder/resolve()`` produces one without starting any thread; `loom info` prints it. Values come from
/// five layers in a fixed order, whatever order the builder calls were written in (later layers win):
/// defaults < configuration files (in the order given) < environment variables < the application's
/// `ConfigReader` < `LoomBuilder` setters < command-line flags. ``source(of:)`` says which layer each value
/// came from.
///
/// ```swift
/// let configuration = try LoomBuilder().envPrefix("LOOM").computeThreads(6).resolve()
/// print(configuration.computeThreads)                     // 6
/// print(configuration.source(of: .computeThreads).kind)   // code
/// ```
import LoomSystem

public struct LoomConfiguration: Sendable, Equatable {
    /// The thread-name prefix.
    ///
    /// Key `prefix`, environment variable `LOOM_PREFIX`, flag `--loom-prefix`, setter ``LoomBuilder/prefix(_:)``;
    /// default `"loom"`. It must not be empty or contain control characters.
    public let prefix: String

    /// The CPUs explicitly given to Loom, or `nil` when none were (then Loom uses ``allowedCPUs``).
    ///
    /// Key `cpuset`, environment variable `LOOM_CPUSET`, flag `--loom-cpuset`, setter ``LoomBuilder/cpuset(_:)``;
    /// default: none. Every CPU must be in ``allowedCPUs``.
    public let cpuset: CPUSet?

    /// The number of async pool threads.
    ///
    /// Key `async_threads` (alias `tokio_threads`), environment variable `LOOM_ASYNC_THREADS` (alias
    /// `LOOM_TOKIO_THREADS`), flag `--loom-async-threads` (hidden alias `--loom-tokio-threads`), setter
    /// ``LoomBuilder/asyncThreads(_:)``; default 1. At least 1.
    public let asyncThreads: Int

    /// The number of compute pool threads.
    ///
    /// Key `compute_threads` (alias `rayon_threads`), environment variable `LOOM_COMPUTE_THREADS` (alias
    /// `LOOM_RAYON_THREADS`), flag `--loom-compute-threads` (hidden alias `--loom-rayon-threads`), setter
    /// ``LoomBuilder/computeThreads(_:)``; default: ``usableCPUs`` minus ``asyncThreads``, at least 1, plus one per
    /// async CPU when ``shareAsyncCPUs`` is on.
    public let computeThreads: Int

    /// Whether each thread is pinned to the CPUs the plan gives it.
    ///
    /// Key `pin_threads`, environment variable `LOOM_PIN_THREADS`, flags `--loom-pin-threads` /
    /// `--no-loom-pin-threads`, setter ``LoomBuilder/pinThreads(_:)``; default `true`.
    public let pinThreads: Bool

    /// loom-rs's size of the pool of completion states its async-to-compute bridge reuses, kept so that loom-rs
    /// configuration files work unchanged.
    ///
    /// Loom's bridge keeps no such pool: ``LoomRuntime/spawnCompute(_:)`` moves the calling task itself to the
    /// compute pool and back, so there is no completion state to allocate or reuse, and this value changes nothing.
    /// It is still read and validated like every other key (a zero or negative value is an error) and reported by
    /// `loom info`.
    ///
    /// Key `compute_pool_size`, environment variable `LOOM_COMPUTE_POOL_SIZE`, no flag, setter
    /// ``LoomBuilder/computePoolSize(_:)``; default 64. At least 1.
    public let computePoolSize: Int

    /// The CUDA device whose local CPUs Loom uses, or `nil`.
    ///
    /// Key `cuda_device` (in a file, an integer is an ordinal and a string a UUID), environment variable
    /// `LOOM_CUDA_DEVICE` and flag `--loom-cuda-device` (a decimal number is an ordinal, anything else a UUID),
    /// setters ``LoomBuilder/cudaDevice(id:)`` and ``LoomBuilder/cudaDevice(uuid:)``; default: none.
    public let cudaDevice: CUDADeviceSelector?

    /// How long the runtime may go without completing a job while work is waiting before its watchdog logs a
    /// report (``LoomRuntime/diagnostics()``), or `nil` when the watchdog is off.
    ///
    /// Key `watchdog` (seconds, an integer or a decimal number; `0` turns it off), environment variable
    /// `LOOM_WATCHDOG`, flag `--loom-watchdog <seconds>`, setter ``LoomBuilder/watchdog(_:)``; default: off.
    public let watchdog: Duration?

    /// The number of threads of the blocking pool (`runtime.spawnBlocking`, `runtime.blockingPool`), started on
    /// first use, named `{prefix}-blocking-NNNN` and allowed on the async pool's CPUs (all of them, not one each:
    /// blocking calls wait rather than compute). At least 1, at most 4 096.
    ///
    /// Key `blocking_threads`, environment variable `LOOM_BLOCKING_THREADS`, flag `--loom-blocking-threads <n>`,
    /// setter ``LoomBuilder/blockingThreads(_:)``; default ``defaultBlockingThreads``.
    public let blockingThreads: Int

    /// The default of ``blockingThreads``: 4. The pool is for calls that wait (file I/O, a blocking C library, a
    /// sleep), so its size is how many such calls may be in flight at once, not a CPU count; a server that does
    /// much blocking file I/O should raise it.
    public static let defaultBlockingThreads = 4

    /// Whether the runtime measures time for ``LoomRuntime/statistics()``: each pool thread's busy and parked time
    /// (two clock reads per park) and the bridge's latency histograms (two per timed `spawnCompute` round trip or
    /// `computeMap` item; each thread times one call in 8). Off, those read as `nil` or empty; the counters (jobs,
    /// steals, parks, queue depths, bridge calls) are kept either way, since they cost a store each on a line the
    /// thread owns.
    ///
    /// Key `statistics`, environment variable `LOOM_STATISTICS`, flag `--loom-statistics <bool>`, setter
    /// ``LoomBuilder/statistics(_:)``; default: on.
    public let statistics: Bool

    /// How often the runtime reports its statistics to swift-metrics, or `nil` when it does not report.
    ///
    /// Reporting happens only when there is a metrics factory: the one given to ``LoomBuilder/metricsFactory(_:)``,
    /// else the one the application bootstrapped (`MetricsSystem.bootstrap`) by the time the runtime starts. A
    /// thread of its own (`{prefix}-metrics`) takes a snapshot each interval and updates the `loom_` series; the
    /// pools' hot paths never touch swift-metrics.
    ///
    /// Key `metrics_interval` (seconds; `0` turns reporting off), environment variable `LOOM_METRICS_INTERVAL`,
    /// flag `--loom-metrics-interval <seconds>`, setter ``LoomBuilder/metricsInterval(_:)``; default
    /// ``defaultMetricsInterval``.
    public let metricsInterval: Duration?

    /// The default of ``metricsInterval``: 10 seconds (Prometheus scrapes every 15 to 60).
    public static let defaultMetricsInterval = Duration.seconds(10)

    /// The path of the Unix socket on which the runtime serves its statistics to `loom top`, or `nil` (the default).
    ///
    /// The socket is created when the runtime starts (an existing socket file there is replaced; any other file is
    /// an error) with mode 0600 before it accepts connections, and connections from other users are refused. It is
    /// removed when the runtime closes. The protocol is in `Documentation/Console.md`.
    ///
    /// Key `console`, environment variable `LOOM_CONSOLE`, flag `--loom-console <path>`, setter
    /// ``LoomBuilder/console(path:)``; default: off.
    public let console: String?

    /// Whether compute threads borrow the async pool's CPUs when async work leaves them idle.
    ///
    /// On, the compute threads the compute CPUs have no room for — by default one per async CPU, so the default
    /// ``computeThreads`` grows by the async CPU count — run at an idle priority (``LoomThreadInfo/Priority/idle``:
    /// on Linux `SCHED_IDLE`) on the async and compute CPUs together. Such a thread gets the CPU time normal threads
    /// leave, and any normal thread waking on its CPU preempts it at once, so CPU work soaks up what the async pool
    /// leaves idle; the kernel may also move it to any of the runtime's CPUs that goes idle, so work it holds does
    /// not wait for a busy async thread. Idle async threads stop spinning while a borrower runs a job and park for
    /// half a millisecond at a time instead of until woken: each of their wake-ups makes the kernel choose again who
    /// runs on the CPU, which bounds how long a runnable I/O thread can wait behind the borrower. A borrower that
    /// runs out of work parks at once instead of spinning.
    /// ``borrowedCPUs`` lists the CPUs borrowed.
    ///
    /// A thread started from a borrower inherits its priority (Linux copies the scheduling policy and nice value to
    /// a new thread, and an unprivileged thread cannot raise them again). Loom's own threads restore it where the
    /// process may, and warn otherwise; threads other libraries start from compute work — for instance a Dispatch
    /// worker that libdispatch starts when a compute job first enqueues onto a global queue — keep it until they
    /// exit. Start threads outside compute jobs when sharing is on.
    ///
    /// Off (the default), the compute pool stays on its own CPUs: sharing raises a CPU-bound server's throughput, but
    /// the inherited idle priority above makes it a choice to make knowingly; the measurements are in the README
    /// ("Sharing the async CPUs") and `Benchmarks/README.md`.
    ///
    /// Key `share_async_cpus`, environment variable `LOOM_SHARE_ASYNC_CPUS`, flags `--loom-share-async-cpus` /
    /// `--no-loom-share-async-cpus`, setter ``LoomBuilder/shareAsyncCPUs(_:)``; default: off.
    public let shareAsyncCPUs: Bool

    /// The CPUs this process may run on (`sched_getaffinity`: honours taskset, numactl and cgroup cpusets).
    public let allowedCPUs: CPUSet

    /// The CPUs Loom plans on: ``cpuset`` if given, else ``allowedCPUs``; narrowed to the GPU's local CPUs when a
    /// CUDA device is selected and its locality is known.
    public let usableCPUs: CPUSet

    /// The CPUs the async threads may run on (the union of their placements).
    public var asyncCPUs: CPUSet { self.plan.asyncCPUs }

    /// The compute pool's own CPUs (the union of its normal-priority threads' placements).
    public var computeCPUs: CPUSet { self.plan.computeCPUs }

    /// The async CPUs the compute pool's idle-priority threads borrow (``shareAsyncCPUs``); empty when none do.
    public var borrowedCPUs: CPUSet { self.plan.borrowedCPUs }

    /// Every thread Loom will start, async threads first: pool, index, full name, kernel name and CPUs.
    public var threads: [LoomThreadInfo] { self.plan.threads }

    /// Advice found while resolving (an unknown `LOOM_` variable, more threads than CPUs, SMT siblings shared
    /// between the pools, GPU locality). Resolving does not log them; `build()` and `loom info` do.
    public let warnings: [String]

    /// The selected GPU and its local CPUs, when a CUDA device was selected and located; otherwise `nil`.
    public let gpu: GPUDevice?

    /// The per-thread placement.
    package var plan: CPUPlan

    /// Where each value came from; keys that no source set are absent (their source is the default).
    package var sources: [Key: Source]

    package init(
        prefix: String,
        cpuset: CPUSet?,
        asyncThreads: Int,
        computeThreads: Int,
        pinThreads: Bool,
        computePoolSize: Int,
        cudaDevice: CUDADeviceSelector?,
        watchdog: Duration? = nil,
        blockingThreads: Int = LoomConfiguration.defaultBlockingThreads,
        statistics: Bool = true,
        metricsInterval: Duration? = LoomConfiguration.defaultMetricsInterval,
        console: String? = nil,
        shareAsyncCPUs: Bool = false,
        allowedCPUs: CPUSet,
        usableCPUs: CPUSet,
        gpu: GPUDevice?,
        plan: CPUPlan,
        warnings: [String],
        sources: [Key: Source]
    ) {
        self.prefix = prefix
        self.cpuset = cpuset
        self.asyncThreads = asyncThreads
        self.computeThreads = computeThreads
        self.pinThreads = pinThreads
        self.computePoolSize = computePoolSize
        self.cudaDevice = cudaDevice
        self.watchdog = watchdog
        self.blockingThreads = blockingThreads
        self.statistics = statistics
        self.metricsInterval = metricsInterval
        self.console = console
        self.shareAsyncCPUs = shareAsyncCPUs
        self.allowedCPUs = allowedCPUs
        self.usableCPUs = usableCPUs
        self.gpu = gpu
        self.plan = plan
        self.warnings = warnings
        self.sources = sources
    }

    /// Where the value of `key` came from.
    ///
    /// - Parameter key: a configuration key.
    /// - Returns: the source; its ``Source/kind`` is ``Source/Kind/default`` when no source set the key.
    public func source(of key: Key) -> Source {
        self.sources[key] ?? .defaultValue
    }
}
