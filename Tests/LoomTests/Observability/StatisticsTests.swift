import CLoomSystem
import Dispatch
import Synchronization
import Testing

@testable import Loom
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("Statistics", .timeLimit(.minutes(10)))
struct StatisticsTests {
    @Test("jobs run after a quiescent point equal the jobs submitted")
    func jobsAddUp() throws {
        let pool = try ComputePool(threads: 2, name: "t-stjobs")
        defer { pool.close() }
        let count = 500
        for round in 0..<3 {
            let before = pool.statistics()
            let left = Atomic<Int>(count)
            let done = DispatchSemaphore(value: 0)
            for _ in 0..<count {
                pool.spawn {
                    if left.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { done.signal() }
                }
            }
            done.wait()
            let after = pool.statistics()
            #expect(after.jobsRun - before.jobsRun == UInt64(count), "round \(round)")
            // Every job came through the injector (spawned from outside), taken from it or stolen after a worker
            // took it: nothing else ran.
            #expect(after.sharedQueuePops - before.sharedQueuePops <= UInt64(count))
            #expect(after.sharedQueuePops > before.sharedQueuePops)
        }
    }

    @Test("a job pushed by one worker and run by another counts as a steal")
    func forcedSteal() throws {
        let pool = try ComputePool(threads: 2, name: "t-ststeal")
        defer { pool.close() }
        let before = pool.statistics()
        let stolen = pool.install { () -> Bool in
            let here = cloom_gettid()
            let ranOn = Atomic<Int>(0)
            _ = pool.join(
                {
                    // Keep this worker busy until the other worker has taken the second closure from its deque, so
                    // the only way it runs is a steal. The bound only keeps a broken pool from hanging the test.
                    let deadline = cloom_monotonic_ns() + 30_000_000_000
                    while ranOn.load(ordering: .acquiring) == 0 && cloom_monotonic_ns() < deadline { cloom_yield() }
                },
                { ranOn.store(cloom_gettid(), ordering: .releasing) }
            )
            return ranOn.load(ordering: .acquiring) != here
        }
        let after = pool.statistics()
        #expect(stolen)
        #expect(after.steals - before.steals >= 1)
        #expect(after.stealAttempts - before.stealAttempts >= after.steals - before.steals)
        #expect(after.threads.reduce(0) { $0 + $1.steals } == after.steals)
    }

    @Test("the bridge histograms count every spawnCompute and computeMap item")
    func bridgeHistograms() throws {
        let runtime = try LoomRuntime.forTests("t-stbridge")
        defer { runtime.close() }
        let before = runtime.statistics()
        try runtime.blockOn {
            for index in 0..<100 { _ = await runtime.spawnCompute { index * 2 } }
            for try await _ in (0..<30).async.computeMap(on: runtime, { $0 + 1 }) {}
            for try await _ in (0..<20).async.computeMap(on: runtime, maxConcurrency: 4, { $0 + 1 }) {}
        }
        let after = runtime.statistics()
        let spawn = after.spawnComputeLatency.subtracting(before.spawnComputeLatency)
        let items = after.computeMapItemLatency.subtracting(before.computeMapItemLatency)
        #expect(after.spawnComputeCalls - before.spawnComputeCalls == 100)
        #expect(after.computeMapItems - before.computeMapItems == 50)
        // One call in 8 per thread is timed; the calls come from one task, so from few threads.
        let timedCalls = Int(spawn.count)
        let timedItems = Int(items.count)
        let expectedCalls: ClosedRange<Int> = 10...15
        let expectedItems: ClosedRange<Int> = 4...10
        #expect(expectedCalls.contains(timedCalls), "\(timedCalls) of 100 timed")
        #expect(expectedItems.contains(timedItems), "\(timedItems) of 50 timed")
        let p50 = try #require(spawn.quantile(0.5))
        let p99 = try #require(spawn.quantile(0.99))
        #expect(p50 > .zero && p50 <= p99)
        #expect(after.asyncPool.jobsRun > before.asyncPool.jobsRun)
        #expect(after.computePool.jobsRun - before.computePool.jobsRun >= 100)
        #expect(after.prefix == "t-stbridge")
        #expect(
            after.threads.map(\.name) == runtime.threads.filter { $0.pool == .async || $0.pool == .compute }.map(\.name)
        )
    }

    @Test("with statistics off, nothing is timed but the counters are kept")
    func statisticsOff() throws {
        let runtime = try LoomBuilder().prefix("t-stoff").asyncThreads(1).computeThreads(2).pinThreads(false)
            .statistics(false).build()
        defer { runtime.close() }
        runtime.blockOn {
            for index in 0..<10 { _ = await runtime.spawnCompute { index } }
        }
        let stats = runtime.statistics()
        #expect(runtime.configuration.statistics == false)
        #expect(stats.spawnComputeLatency.count == 0)
        #expect(stats.spawnComputeCalls == 10, "calls are counted with statistics off too")
        #expect(stats.threads.allSatisfy { $0.busyNanoseconds == nil && $0.idleNanoseconds == nil })
        #expect(stats.computePool.jobsRun >= 10)
    }

    @Test("busy time covers a job's run time; busy plus idle is the thread's life, within the pool's")
    func busyTime() throws {
        let created = cloom_monotonic_ns()
        let pool = try ComputePool(threads: 1, name: "t-stbusy")
        defer { pool.close() }
        let before = pool.statistics()
        let start = cloom_monotonic_ns()
        let ran = pool.install { () -> UInt64 in
            let begin = cloom_monotonic_ns()
            while cloom_monotonic_ns() - begin < 20_000_000 {}
            return cloom_monotonic_ns() - begin
        }
        let elapsed = cloom_monotonic_ns() - start
        let after = pool.statistics()
        let sinceCreated = cloom_monotonic_ns() - created
        let busy = try #require(after.busyNanoseconds) - (before.busyNanoseconds ?? 0)
        #expect(busy >= ran)
        let thread = try #require(after.threads.first)
        let life = try #require(thread.busyNanoseconds) + (thread.idleNanoseconds ?? 0)
        #expect(life >= ran, "the thread lived through the job")
        #expect(elapsed >= ran)
        #expect(life <= sinceCreated, "and not longer than the pool")
    }

    @Test("histogram buckets hold their values, quantiles come from the right bucket")
    func histogramBuckets() {
        var previousUpper: UInt64 = 0
        for index in 0..<LoomStatistics.LatencyHistogram.bucketCount {
            let bounds = LoomStatistics.LatencyHistogram.bounds(ofBucket: index)
            #expect(bounds.lower == previousUpper, "bucket \(index) starts where the last ended")
            #expect(bounds.upper > bounds.lower)
            if index < LoomStatistics.LatencyHistogram.bucketCount - 1 {
                #expect(LoomStatistics.LatencyHistogram.bucketIndex(bounds.lower) == index)
                #expect(LoomStatistics.LatencyHistogram.bucketIndex(bounds.upper - 1) == index)
                // At most 12.5% wide above 8 ns.
                if index >= 8 { #expect((bounds.upper - bounds.lower) * 8 <= bounds.lower) }
            }
            previousUpper = bounds.upper
        }
        #expect(LoomStatistics.LatencyHistogram.bucketIndex(.max) == LoomStatistics.LatencyHistogram.bucketCount - 1)

        let recorder = LatencyRecorder()
        for value in 1...100 { recorder.recordAsOnlyWriter(UInt64(value) * 1000) }
        recorder.recordShared(5_000_000)
        let histogram = LatencyRecorder.histogram(of: [recorder])
        #expect(histogram.count == 101)
        let median = try! #require(histogram.quantile(0.5))
        #expect(median >= .microseconds(50) && median <= .microseconds(57))
        #expect(histogram.quantile(1.0)! >= .milliseconds(5))
        #expect(LoomStatistics.LatencyHistogram(buckets: []).quantile(0.5) == nil)
        #expect(histogram.subtracting(histogram).count == 0)
        #expect(histogram.subtracting(LoomStatistics.LatencyHistogram(buckets: [])) == histogram)
    }

    @Test("the async pool counts its jobs, queue pops and parks")
    func asyncCounters() throws {
        let runtime = try LoomRuntime.forTests("t-stasync", asyncThreads: 2)
        defer { runtime.close() }
        let before = runtime.statistics()
        let tasks = (0..<50).map { index in runtime.spawnAsync { index } }
        runtime.blockOn {
            var sum = 0
            for task in tasks { sum += await task.value }
            return sum
        }
        let after = runtime.statistics()
        #expect(after.asyncPool.jobsRun - before.asyncPool.jobsRun >= 50)
        #expect(after.asyncPool.sharedQueuePops - before.asyncPool.sharedQueuePops >= 1)
        #expect(after.asyncPool.threads.count == 2)
        #expect(after.asyncPool.threads.allSatisfy { $0.stealAttempts == 0 && $0.steals == 0 })
        #expect(after.uptimeNanoseconds > before.uptimeNanoseconds)
    }
}
