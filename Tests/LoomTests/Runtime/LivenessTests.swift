import Foundation
import Synchronization
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

#if canImport(Glibc)
import Glibc
#endif

/// Diagnostics, the watchdog, resource limits and failures, and where `.parallel` runs.
@Suite("Liveness: diagnostics, watchdog, limits", .timeLimit(.minutes(10)))
struct LivenessTests {
    /// Occupies the only compute worker of `runtime` until the returned gate opens; returns once the job runs.
    private func occupyComputeWorker(_ runtime: LoomRuntime) -> Gate<Void> {
        let release = Gate<Void>()
        let started = Gate<Void>()
        runtime.computePool.spawn {
            started.open(with: ())
            release.wait()
        }
        started.wait()
        return release
    }

    @Test("diagnostics() lists every pool thread with its pool, name and state, and counts jobs")
    func diagnosticsListThreads() throws {
        let runtime = try LoomRuntime.forTests("diag", asyncThreads: 1, computeThreads: 2)
        defer { runtime.close() }
        let sum = runtime.blockOn { await runtime.spawnCompute { (1...100).reduce(0, +) } }
        #expect(sum == 5050)
        let report = runtime.diagnostics()
        #expect(report.prefix == "diag")
        #expect(report.asyncPool.threads.map(\.info.name) == ["diag-async-0000"])
        #expect(report.computePool.threads.map(\.info.name) == ["diag-compute-0000", "diag-compute-0001"])
        #expect(report.threads.allSatisfy { $0.activity != .stopped })
        // The round trip ran at least one job on each side.
        #expect(report.asyncPool.jobsRun >= 1)
        #expect(report.computePool.jobsRun >= 1)
        #expect(report.asyncTasksInFlight == 0 && report.computeTasksInFlight == 0)
        #expect(report.queuedJobs == 0)
        #expect(!report.hasPendingWork)
        #expect(report.description.contains("compute pool: 0 queued"))
        #expect(report.description.contains("diag-compute-0001"))
    }

    @Test("diagnostics() counts jobs queued behind a busy worker, and the running worker")
    func diagnosticsQueues() throws {
        let runtime = try LoomRuntime.forTests("dq", asyncThreads: 1, computeThreads: 1)
        defer { runtime.close() }
        let release = self.occupyComputeWorker(runtime)
        let done = Counter()
        for _ in 0..<5 { runtime.computePool.spawn { done.increment() } }
        let report = runtime.diagnostics()
        #expect(report.computePool.queuedJobs == 5)
        #expect(report.computePool.sharedQueueJobs == 5)
        #expect(report.computePool.threads[0].activity == .running)
        #expect(report.hasPendingWork)
        release.open(with: ())
        runtime.install {}  // Queued behind the five: runs after them.
        #expect(done.count == 5)
        #expect(runtime.diagnostics().computePool.queuedJobs == 0)
    }

    @Test("the watchdog logs one report when work is queued and nothing completes, naming the stuck thread")
    func watchdogReports() async throws {
        let log = CapturedLog()
        let runtime = try LoomBuilder().prefix("wdog").asyncThreads(1).computeThreads(1).pinThreads(false)
            .watchdog(.milliseconds(200)).logger(log.logger).build()
        let release = self.occupyComputeWorker(runtime)
        runtime.computePool.spawn {}
        let report = await log.first(containing: "no job completed")
        #expect(report.hasPrefix("warning: "))
        #expect(report.contains("Loom runtime 'wdog'"))
        #expect(report.contains("1 queued job(s) waited"))
        #expect(report.contains("wdog-compute-0000 [wdog-c0] running"))
        #expect(log.messages.filter { $0.contains("no job completed") }.count == 1)
        release.open(with: ())
        runtime.close()
    }

    @Test("a watchdog set to zero is off, and a runtime without one starts no watchdog thread")
    func watchdogOff() throws {
        let configuration = try LoomBuilder.hermetic().watchdog(.zero).resolve()
        #expect(configuration.watchdog == nil)
        let runtime = try LoomRuntime.forTests("nowd")
        defer { runtime.close() }
        #expect(runtime.watchdog.withLock { $0 } == nil)
    }

    @Test("a failed thread start is a LoomError naming the thread, and no thread of the pool is left running")
    func threadStartFailure() throws {
        PinnedThread.creationFailure.withLock { hook in
            hook = { info in info.name.hasPrefix("tfail-compute") && info.index == 2 ? EAGAIN : nil }
        }
        defer { PinnedThread.creationFailure.withLock { $0 = nil } }
        do {
            _ = try LoomBuilder().prefix("tfail").asyncThreads(1).computeThreads(4).pinThreads(false).build()
            Issue.record("expected build() to throw")
        } catch {
            #expect(error.code == .systemError)
            #expect(error.description.contains("Could not start thread tfail-compute-0002"))
            #expect(error.description.contains("EAGAIN"))
        }
        #expect(Self.threadNames().filter { $0.hasPrefix("tfail") }.isEmpty)

        // The async pool's threads, started after the compute pool's, are stopped too.
        PinnedThread.creationFailure.withLock { hook in
            hook = { info in info.name == "tfail2-async-0001" ? ENOMEM : nil }
        }
        #expect(throws: LoomError.self) {
            try LoomBuilder().prefix("tfail2").asyncThreads(2).computeThreads(2).pinThreads(false).build()
        }
        #expect(Self.threadNames().filter { $0.hasPrefix("tfail2") }.isEmpty)
    }

    @Test("a compute pool of more than 4096 threads is a LoomError, not four thousand threads")
    func poolSizeBound() {
        #expect(throws: LoomError.self) { try ComputePool(threads: 4097) }
        do {
            _ = try ComputePool(threads: 100_000, name: "big")
        } catch {
            #expect(error.description.contains("\"100000\" for threads"))
            #expect(error.description.contains("at most 4096"))
        }
    }

    @Test("dropping the last reference to a compute pool on a Loom async thread does not wait for it there")
    func poolDeinitOnAsyncThread() throws {
        let runtime = try LoomRuntime.forTests("dein")
        defer { runtime.close() }
        let finished = Gate<Void>()
        let ran = runtime.blockOn { () async -> Bool in
            let release = Gate<Void>()
            var pool: ComputePool? = try? ComputePool(threads: 1, name: "inner")
            let result = pool?.install { 7 } == 7
            // The pool's only worker waits for this thread; joining it here would never return.
            pool?.spawn {
                release.wait()
                finished.open(with: ())
            }
            pool = nil  // deinit on the async thread: terminates the pool, does not join it here.
            release.open(with: ())
            return result
        }
        #expect(ran)
        finished.wait()  // The queued job still ran.
    }

    @Test("on a runtime's async thread, .parallel, join and scope run on that runtime's compute pool")
    func parallelUsesRuntimePool() throws {
        let runtime = try LoomRuntime.forTests("route", asyncThreads: 1, computeThreads: 2)
        defer { runtime.close() }
        // On the runtime's compute threads, LoomRuntime.current is the runtime; on ComputePool.shared it is nil.
        // The synchronous forms, called on the async thread (which they block).
        @Sendable func blocking() -> [Bool] {
            let mapped = (0..<20_000).parallel.map { _ in LoomRuntime.current === runtime }
            let (a, b) = join({ LoomRuntime.current === runtime }, { LoomRuntime.current === runtime })
            let scoped = LockedValue<[Bool]>([])  // A pthread mutex: ThreadSanitizer cannot see inside `Mutex`.
            scope { s in
                for _ in 0..<8 {
                    s.spawn {
                        let mine = LoomRuntime.current === runtime
                        scoped.withLock { $0.append(mine) }
                    }
                }
            }
            return mapped + [a, b] + scoped.withLock { $0 }
        }
        let onRuntime = runtime.blockOn { () async -> [Bool] in
            let awaited = await (0..<20_000).parallel.map { _ in LoomRuntime.current === runtime }
            return blocking() + awaited
        }
        #expect(onRuntime.count == 40_010)
        #expect(onRuntime.allSatisfy { $0 })
    }

    @Test("runtime.threads shows a refused pin as unpinned; the configuration keeps the plan")
    func refusedPin() throws {
        // CPU 1000 does not exist here: pinning to it fails with EINVAL and the thread runs unpinned.
        let configuration = try LoomBuilder.hermetic(allowed: CPUSet(0...1000)).prefix("refuse").cpuset("0,1000")
            .asyncThreads(1).computeThreads(1).resolve()
        let compute = try #require(configuration.threads.first { $0.pool == .compute })
        #expect(compute.cpus == [1000])
        let runtime = try LoomRuntime(configuration: configuration, logger: CapturedLog().logger)
        defer { runtime.close() }
        let running = try #require(runtime.threads.first { $0.pool == .compute })
        #expect(running.cpus.isEmpty)
        #expect(runtime.diagnostics().computePool.threads[0].info.cpus.isEmpty)
        #expect(runtime.install { 1 } == 1)
    }

    /// The kernel names of the process's threads.
    static func threadNames() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
