import LoomSystem
import Synchronization

/// Cumulative counters of a runtime (``LoomRuntime/statistics()``) or of one compute pool
/// (``ComputePool/statistics()``): per thread, jobs run, steals, shared-queue pops, parks, wake-ups, busy and idle
/// time; per pool, queue depths and the sleep protocol's counts; for the runtime's bridge, latency histograms of
/// `spawnCompute` round trips and `computeMap` items.
///
/// Every counter only grows, from the thread's start: subtract two snapshots for rates (`loom top` does).
/// Each thread writes its own counters (a plain load and store on a cache line of its own, no read-modify-write), and a
/// snapshot sums them without stopping or waking anybody, so values taken while threads run are a moment's picture,
/// not an atomic one. Times are measured only when ``LoomConfiguration/statistics`` is on (the default): two clock
/// reads per park of a thread and per timed bridge call (one in 8). A thread is idle while parked; searching for work counts as
/// busy.
///
/// ```swift
/// let before = runtime.statistics()
/// await work()
/// let after = runtime.statistics()
/// print(after.computePool.jobsRun - before.computePool.jobsRun, "compute jobs")
/// print(after.spawnComputeLatency.quantile(0.99) ?? .zero, "p99 spawnCompute round trip")
/// ```
///
/// The value is `Codable`; the console (``LoomConfiguration/console``) sends it as JSON with snake_case keys.
public struct LoomStatistics: Sendable, Codable, CustomStringConvertible {
    /// One pool thread's counters.
    public struct ThreadStatistics: Sendable, Codable {
        /// The thread's name, `{prefix}-{pool}-NNNN`.
        public let name: String
        /// Its kernel name (what `top -H` shows).
        public let kernelName: String
        /// Its index in the pool.
        public let index: Int
        /// The CPUs it is pinned to, as a cpuset string; empty when unpinned.
        public let cpus: String
        /// What it is doing now.
        public let activity: LoomDiagnostics.Activity
        /// Jobs run.
        public let jobsRun: UInt64
        /// Other workers' deques probed for a job (compute workers; 0 for async threads).
        public let stealAttempts: UInt64
        /// Jobs stolen from other workers' deques.
        public let steals: UInt64
        /// Jobs taken from the pool's shared queue (the compute injector, the async queue).
        public let sharedQueuePops: UInt64
        /// Times it parked.
        public let parks: UInt64
        /// Times it was woken from a park.
        public let wakeUps: UInt64
        /// Nanoseconds not parked since it started: running jobs, and searching for work between them (as tokio's
        /// `worker_total_busy_duration` counts); `nil` when time is not measured.
        public let busyNanoseconds: UInt64?
        /// Nanoseconds parked; `nil` when time is not measured.
        public let idleNanoseconds: UInt64?
        /// Jobs in its own queue now (a compute worker's deque; a one-thread async pool's local queue).
        public let queueDepth: Int
    }

    /// One pool's threads and queues.
    public struct PoolStatistics: Sendable, Codable {
        /// `async` or `compute`.
        public let pool: LoomThreadInfo.Pool
        /// Its threads, in index order.
        public let threads: [ThreadStatistics]
        /// Jobs in the pool's shared queue now (the compute injector; the async queue).
        public let sharedQueueDepth: Int
        /// Threads the sleep protocol lists as asleep now.
        public let sleepers: Int
        /// Threads searching for work now.
        public let searching: Int

        /// Every job waiting in the pool now: the shared queue plus each thread's own queue.
        public var queueDepth: Int { self.sharedQueueDepth + self.threads.reduce(0) { $0 + $1.queueDepth } }
        /// Jobs run by all the pool's threads.
        public var jobsRun: UInt64 { self.sum(\.jobsRun) }
        /// Steals by all the pool's threads.
        public var steals: UInt64 { self.sum(\.steals) }
        /// Steal attempts by all the pool's threads.
        public var stealAttempts: UInt64 { self.sum(\.stealAttempts) }
        /// Shared-queue pops by all the pool's threads.
        public var sharedQueuePops: UInt64 { self.sum(\.sharedQueuePops) }
        /// Parks of all the pool's threads.
        public var parks: UInt64 { self.sum(\.parks) }
        /// Busy nanoseconds of all the pool's threads, or `nil` when time is not measured.
        public var busyNanoseconds: UInt64? {
            self.threads.contains { $0.busyNanoseconds == nil } ? nil : self.sum { $0.busyNanoseconds ?? 0 }
        }

        private func sum(_ value: (ThreadStatistics) -> UInt64) -> UInt64 {
            self.threads.reduce(0) { $0 &+ value($1) }
        }
    }

    /// A log-linear latency histogram: exact below 8 ns, then 8 buckets per power of two, so a quantile is within
    /// 12.5% of the true value. Only buckets with samples are kept.
    public struct LatencyHistogram: Sendable, Codable, Equatable {
        /// One bucket: samples of at least `lowerNanoseconds` and less than `upperNanoseconds`.
        public struct Bucket: Sendable, Codable, Equatable {
            public let lowerNanoseconds: UInt64
            public let upperNanoseconds: UInt64
            public let count: UInt64
        }

        /// The buckets that hold samples, in increasing order.
        public let buckets: [Bucket]

        /// Samples recorded.
        public var count: UInt64 { self.buckets.reduce(0) { $0 &+ $1.count } }

        /// The upper bound of the bucket holding the `q`-quantile (`0.5` the median, `0.99` p99), or `nil` when
        /// there are no samples.
        public func quantile(_ q: Double) -> Duration? {
            let total = self.count
            guard total > 0 else { return nil }
            let rank = UInt64((min(max(q, 0), 1) * Double(total)).rounded(.up))
            var seen: UInt64 = 0
            for bucket in self.buckets {
                seen &+= bucket.count
                if seen >= max(rank, 1) { return .nanoseconds(Int64(clamping: bucket.upperNanoseconds)) }
            }
            return .nanoseconds(Int64(clamping: self.buckets.last!.upperNanoseconds))
        }

        /// The samples recorded after `earlier` (for a rate or a window's quantiles).
        public func subtracting(_ earlier: LatencyHistogram) -> LatencyHistogram {
            var old: [UInt64: UInt64] = [:]
            for bucket in earlier.buckets { old[bucket.lowerNanoseconds] = bucket.count }
            let buckets = self.buckets.compactMap { bucket -> Bucket? in
                let count = bucket.count &- min(bucket.count, old[bucket.lowerNanoseconds] ?? 0)
                return count == 0
                    ? nil
                    : Bucket(
                        lowerNanoseconds: bucket.lowerNanoseconds,
                        upperNanoseconds: bucket.upperNanoseconds,
                        count: count
                    )
            }
            return LatencyHistogram(buckets: buckets)
        }

        public init(buckets: [Bucket]) { self.buckets = buckets }

        /// The number of buckets a recorder keeps: values up to 2⁴⁰ ns (about 18 minutes); longer ones land in the
        /// last.
        @usableFromInline
        package static var bucketCount: Int { 8 * 38 + 8 }

        /// The bucket index of `nanoseconds`.
        @inlinable
        package static func bucketIndex(_ nanoseconds: UInt64) -> Int {
            if nanoseconds < 8 { return Int(nanoseconds) }
            let octave = 63 - nanoseconds.leadingZeroBitCount  // >= 3
            let index = 8 * (octave - 2) + Int((nanoseconds >> UInt64(octave - 3)) & 7)
            return min(index, Self.bucketCount - 1)
        }

        /// The bounds of bucket `index`.
        package static func bounds(ofBucket index: Int) -> (lower: UInt64, upper: UInt64) {
            if index < 8 { return (UInt64(index), UInt64(index) + 1) }
            let octave = index / 8 + 2
            let sub = UInt64(index % 8)
            let width = UInt64(1) << UInt64(octave - 3)
            let lower = (8 + sub) * width
            return (lower, lower + width)
        }
    }

    /// The runtime's thread-name prefix (the pool's name for ``ComputePool/statistics()``).
    public let prefix: String
    /// Nanoseconds since the runtime started.
    public let uptimeNanoseconds: UInt64
    /// The async pool.
    public let asyncPool: PoolStatistics
    /// The compute pool.
    public let computePool: PoolStatistics
    /// Tracked `spawnAsync` tasks in flight now.
    public let asyncTasksInFlight: Int
    /// Tracked `spawnCompute` / `scopeCompute` calls (and `computeMap` items) in flight now.
    public let computeTasksInFlight: Int
    /// `spawnCompute` and `scopeCompute` calls that have returned.
    public let spawnComputeCalls: UInt64
    /// `computeMap` items whose results were taken.
    public let computeMapItems: UInt64
    /// The latency of `spawnCompute` and `scopeCompute` round trips, from the call to the caller's resumption. A
    /// sample: each thread times one call in 8 (so timing costs an eighth of two clock reads per call), so
    /// ``LatencyHistogram/count`` is about an eighth of ``spawnComputeCalls``.
    public let spawnComputeLatency: LatencyHistogram
    /// The latency of `computeMap` items, from handing the element to the compute pool to the consumer taking its
    /// result; sampled one in 8 like ``spawnComputeLatency``.
    public let computeMapItemLatency: LatencyHistogram

    package init(
        prefix: String,
        uptimeNanoseconds: UInt64,
        asyncPool: PoolStatistics,
        computePool: PoolStatistics,
        asyncTasksInFlight: Int,
        computeTasksInFlight: Int,
        spawnComputeCalls: UInt64,
        computeMapItems: UInt64,
        spawnComputeLatency: LatencyHistogram,
        computeMapItemLatency: LatencyHistogram
    ) {
        self.prefix = prefix
        self.uptimeNanoseconds = uptimeNanoseconds
        self.asyncPool = asyncPool
        self.computePool = computePool
        self.asyncTasksInFlight = asyncTasksInFlight
        self.computeTasksInFlight = computeTasksInFlight
        self.spawnComputeCalls = spawnComputeCalls
        self.computeMapItems = computeMapItems
        self.spawnComputeLatency = spawnComputeLatency
        self.computeMapItemLatency = computeMapItemLatency
    }

    /// Both pools' threads, async first.
    public var threads: [ThreadStatistics] { self.asyncPool.threads + self.computePool.threads }

    /// A few lines: per pool its totals, then the bridge's quantiles.
    public var description: String {
        func pool(_ stats: PoolStatistics) -> String {
            var line = "\(stats.pool) pool: \(stats.threads.count) thread(s), jobs run \(stats.jobsRun), "
            line += "steals \(stats.steals)/\(stats.stealAttempts), shared-queue pops \(stats.sharedQueuePops), "
            line += "parks \(stats.parks), queued \(stats.queueDepth)"
            if let busy = stats.busyNanoseconds { line += ", busy \(busy / 1_000_000) ms" }
            return line
        }
        func latency(_ name: String, _ calls: UInt64, _ histogram: LatencyHistogram) -> String {
            guard let p50 = histogram.quantile(0.5), let p99 = histogram.quantile(0.99) else {
                return "\(name): \(calls)"
            }
            return "\(name): \(calls), p50 ≤ \(p50), p99 ≤ \(p99) (\(histogram.count) timed)"
        }
        return [
            "Loom runtime '\(self.prefix)' statistics after \(self.uptimeNanoseconds / 1_000_000) ms:",
            pool(self.asyncPool),
            pool(self.computePool),
            "tracked in flight: \(self.asyncTasksInFlight) async, \(self.computeTasksInFlight) compute",
            latency("spawnCompute", self.spawnComputeCalls, self.spawnComputeLatency),
            latency("computeMap items", self.computeMapItems, self.computeMapItemLatency),
        ].joined(separator: "\n")
    }
}

extension LoomStatistics.ThreadStatistics {
    package init(info: LoomThreadInfo, sleeper: Sleeper, queueDepth: Int, now: UInt64) {
        let times = sleeper.busyAndIdle(now: now)
        // Relaxed: counters each written by one thread; a snapshot.
        self.init(
            name: info.name,
            kernelName: info.kernelName,
            index: info.index,
            cpus: info.cpus.isEmpty ? "" : info.cpus.description,
            activity: LoomDiagnostics.Activity(sleeper: sleeper),
            jobsRun: sleeper.jobsRun.load(ordering: .relaxed),
            stealAttempts: sleeper.stealAttempts.load(ordering: .relaxed),
            steals: sleeper.steals.load(ordering: .relaxed),
            sharedQueuePops: sleeper.sharedQueuePops.load(ordering: .relaxed),
            parks: sleeper.parks.load(ordering: .relaxed),
            wakeUps: sleeper.wakeUps.load(ordering: .relaxed),
            busyNanoseconds: times?.busy,
            idleNanoseconds: times?.idle,
            queueDepth: queueDepth
        )
    }
}

extension LoomStatistics.PoolStatistics {
    package init(
        pool: LoomThreadInfo.Pool,
        threads: [LoomStatistics.ThreadStatistics],
        sharedQueueDepth: Int,
        sleep: Sleep
    ) {
        self.init(
            pool: pool,
            threads: threads,
            sharedQueueDepth: sharedQueueDepth,
            sleepers: sleep.sleepers.load(ordering: .relaxed),  // Relaxed: a snapshot.
            searching: sleep.searching.load(ordering: .relaxed)  // Relaxed: a snapshot.
        )
    }
}

/// Records latencies into a ``LoomStatistics/LatencyHistogram``'s buckets: one writer per recorder with plain
/// loads and stores (a thread's own stripe), or many with atomic adds (the shared stripe).
package final class LatencyRecorder: @unchecked Sendable {
    // Sendable: the buckets are atomics in memory owned by this object.
    @usableFromInline
    let buckets: UnsafeMutablePointer<Atomic<UInt64>>

    package init() {
        self.buckets = .allocate(capacity: LoomStatistics.LatencyHistogram.bucketCount)
        for index in 0..<LoomStatistics.LatencyHistogram.bucketCount {
            (self.buckets + index).initialize(to: Atomic(0))
        }
    }

    deinit {
        self.buckets.deinitialize(count: LoomStatistics.LatencyHistogram.bucketCount)
        self.buckets.deallocate()
    }

    /// Records one sample; only the recorder's one writer may call this.
    @inlinable
    package func recordAsOnlyWriter(_ nanoseconds: UInt64) {
        let bucket = self.buckets + LoomStatistics.LatencyHistogram.bucketIndex(nanoseconds)
        // Relaxed: single writer; readers take a snapshot.
        bucket.pointee.store(bucket.pointee.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }

    /// Records one sample from any thread.
    package func recordShared(_ nanoseconds: UInt64) {
        let bucket = self.buckets + LoomStatistics.LatencyHistogram.bucketIndex(nanoseconds)
        bucket.pointee.add(1, ordering: .relaxed)  // Relaxed: a counter.
    }

    /// Adds this recorder's counts into `counts` (one per bucket).
    package func accumulate(into counts: inout [UInt64]) {
        for index in 0..<counts.count {
            counts[index] &+= (self.buckets + index).pointee.load(ordering: .relaxed)  // Relaxed: a snapshot.
        }
    }

    /// The histogram of the summed counts of `recorders`.
    package static func histogram(of recorders: [LatencyRecorder]) -> LoomStatistics.LatencyHistogram {
        var counts = [UInt64](repeating: 0, count: LoomStatistics.LatencyHistogram.bucketCount)
        for recorder in recorders { recorder.accumulate(into: &counts) }
        let buckets = counts.indices.compactMap { index -> LoomStatistics.LatencyHistogram.Bucket? in
            guard counts[index] > 0 else { return nil }
            let bounds = LoomStatistics.LatencyHistogram.bounds(ofBucket: index)
            return .init(lowerNanoseconds: bounds.lower, upperNanoseconds: bounds.upper, count: counts[index])
        }
        return LoomStatistics.LatencyHistogram(buckets: buckets)
    }
}
