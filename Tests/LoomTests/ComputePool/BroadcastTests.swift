import Synchronization
import Testing

@testable import Loom
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

#if canImport(Glibc)
import Glibc
#endif

/// Records values from several threads (a pthread-mutex box, visible to ThreadSanitizer).
private final class Recorder<Value: Sendable>: Sendable {
    private let values = LockedValue<[Value]>([])
    func append(_ value: Value) { self.values.withLock { $0.append(value) } }
    var all: [Value] { self.values.withLock { $0 } }
}

@Suite("ComputePool.broadcast and thread hooks", .timeLimit(.minutes(10)))
struct BroadcastTests {
    @Test("broadcast runs once on every worker and returns the results in worker order", arguments: [1, 2, 3, 5])
    func oncePerWorker(threads: Int) throws {
        let pool = try ComputePool(threads: threads, name: "t-bc\(threads)")
        let results = pool.broadcast { index in
            (index, WorkerThread.current!.index, currentRegistry() === pool.registry)
        }
        #expect(results.map(\.0) == Array(0..<threads))
        #expect(results.map(\.1) == Array(0..<threads), "each call ran on the worker of its index")
        #expect(results.allSatisfy { $0.2 })
        pool.close()
    }

    @Test("broadcast from inside the pool (a worker, a nested broadcast) runs every call too")
    func fromInside() throws {
        let pool = try ComputePool(threads: 3, name: "t-bcin")
        let inInstall = pool.install { pool.broadcast { $0 * 10 } }
        #expect(inInstall == [0, 10, 20])
        let inJoin = pool.install { pool.join({ pool.broadcast { $0 } }, { pool.broadcast { -$0 } }) }
        #expect(inJoin.0 == [0, 1, 2] && inJoin.1 == [0, -1, -2])
        let nested = pool.broadcast { outer in pool.broadcast { inner in outer * 10 + inner } }
        #expect(nested == (0..<3).map { outer in (0..<3).map { outer * 10 + $0 } })
        pool.close()
    }

    @Test("broadcast wakes sleeping workers")
    func wakesSleepers() throws {
        let pool = try ComputePool(threads: 3, name: "t-bcsl")
        // Wait until every worker is parked, then broadcast: each call needs its own worker, so a missed wake-up
        // would hang here (the test's time limit fails it).
        for _ in 0..<20 {
            while pool.registry.sleep.sleepers.load(ordering: .relaxed) < 3 { sched_yield() }
            #expect(pool.broadcast { $0 } == [0, 1, 2])
        }
        pool.close()
    }

    @Test("broadcasts from several threads at once, inside and outside the pool, all complete (stress)")
    func stress() throws {
        let pool = try ComputePool(threads: 3, name: "t-bcst")
        let rounds = runningUnderThreadSanitizer ? 50 : TestSize.scaled(400)
        let failures = Counter()
        onThreads(3) { thread in
            for round in 0..<rounds {
                let results: [Int]
                switch (thread + round) % 3 {
                case 0: results = pool.broadcast { $0 + round }
                case 1: results = pool.install { pool.broadcast { $0 + round } }
                default:
                    results = pool.install {
                        (0..<64).parallel.map { $0 }.count == 64 ? pool.broadcast { $0 + round } : []
                    }
                }
                if results != (0..<3).map({ $0 + round }) { failures.increment() }
            }
        }
        #expect(failures.count == 0)
        pool.close()
    }

    @Test("when broadcast returns, no worker still holds the closure (it is released before a job counts as done)")
    func releasesClosureBeforeReturning() throws {
        final class Probe: Sendable {}
        let pool = try ComputePool(threads: 3, name: "t-bcrel")
        let rounds = runningUnderThreadSanitizer ? 500 : TestSize.scaled(5_000)
        var held = 0
        for _ in 0..<rounds {
            var probe = Probe()
            _ = pool.broadcast { [probe] index in withExtendedLifetime(probe) { index } }
            // The closure's context is gone; only `probe` may remain. (Before the fix, a worker released its job's
            // closure after counting itself done: this saw two owners, or withoutActuallyEscaping trapped.)
            if !isKnownUniquelyReferenced(&probe) { held += 1 }
        }
        #expect(held == 0)
        pool.close()
    }

    @Test("broadcast rethrows the error of the lowest-numbered worker after every call returned")
    func errors() throws {
        let pool = try ComputePool(threads: 4, name: "t-bcerr")
        let ran = Counter()
        #expect(throws: TestError(id: 1)) {
            try pool.broadcast { (index) throws(TestError) -> Int in
                ran.increment()
                if index % 2 == 1 { throw TestError(id: index) }
                return index
            }
        }
        #expect(ran.count == 4)
        pool.close()
    }

    @Test("a pool's start hook runs on each worker before any job, the exit hook on each worker at close")
    func poolHooks() throws {
        let started = Recorder<(index: Int, name: String, worker: Int?, pool: LoomThreadInfo.Pool)>()
        let exited = Recorder<(index: Int, worker: Int?)>()
        let pool = try ComputePool(
            threads: 3,
            name: "t-hooks",
            onThreadStart: { info in
                // The thread already belongs to the pool: join works here and runs on this pool.
                let inPool = join({ WorkerThread.current?.index }, { 1 }).0
                started.append((info.index, info.name, inPool, info.pool))
            },
            onThreadExit: { info in exited.append((info.index, WorkerThread.current?.index)) }
        )
        // Every worker ran its hook before its first job: a broadcast reaches each one after its hook.
        _ = pool.broadcast { $0 }
        let starts = started.all
        #expect(starts.map(\.index).sorted() == [0, 1, 2])
        #expect(starts.allSatisfy { $0.worker == $0.index && $0.pool == .compute })
        #expect(Set(starts.map(\.name)) == ["t-hooks-compute-0000", "t-hooks-compute-0001", "t-hooks-compute-0002"])
        #expect(exited.all.isEmpty)
        pool.close()
        let exits = exited.all
        #expect(exits.map(\.index).sorted() == [0, 1, 2])
        #expect(exits.allSatisfy { $0.worker == $0.index }, "the exit hook runs on the worker itself")
    }

    @Test("a runtime's hooks run on every async and compute thread; the exit hooks see the runtime")
    func runtimeHooks() throws {
        let started = Recorder<(LoomThreadInfo, Bool)>()
        let exited = Recorder<(LoomThreadInfo, Bool)>()
        let runtime = try LoomBuilder()
            .prefix("t-rhooks")
            .asyncThreads(2)
            .computeThreads(2)
            .onThreadStart { info in started.append((info, WorkerThread.current != nil)) }
            .onThreadExit { info in exited.append((info, LoomRuntime.current?.configuration.prefix == "t-rhooks")) }
            .build()
        _ = runtime.computePool.broadcast { $0 }
        runtime.blockOn {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { _ = await runtime.spawnAsync { 1 }.value } }
            }
        }
        runtime.close()
        let starts = started.all
        #expect(Set(starts.map(\.0.name)) == Set(runtime.threads.map(\.name)))
        #expect(starts.count == 4)
        // A compute thread is in its pool when its hook runs; an async thread is not a compute worker.
        #expect(starts.allSatisfy { $0.1 == ($0.0.pool == .compute) })
        #expect(Set(exited.all.map(\.0.name)) == Set(runtime.threads.map(\.name)))
        #expect(exited.all.count == 4)
        #expect(exited.all.allSatisfy { $0.1 }, "LoomRuntime.current is this runtime in the exit hooks")
        // The infos the hooks got are the threads' real placement, as runtime.threads reports it.
        #expect(Set(starts.map(\.0)) == Set(runtime.threads))
    }
}
