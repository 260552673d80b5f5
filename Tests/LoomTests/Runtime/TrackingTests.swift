import Synchronization
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

// Tests here block their (cooperative-pool) thread in blockOn; every task they wait for therefore runs on the
// runtime's own executor, never on the global pool, which parallel tests may have blocked.
@Suite("LoomRuntime tracking and shutdown", .timeLimit(.minutes(10)))
struct TrackingTests {
    @Test("in-flight counts rise while work runs and fall when it finishes")
    func counts() throws {
        let runtime = try LoomRuntime.forTests("cnt", asyncThreads: 1, computeThreads: 2)
        defer { runtime.close() }
        #expect(runtime.isIdle && runtime.asyncTasksInFlight == 0 && runtime.computeTasksInFlight == 0)

        let computeEntered = Gate<Void>()
        let computeRelease = Gate<Void>()
        let computeReturned = Gate<Int>()
        let asyncRelease = AsyncGate()
        let task = runtime.spawnAsync {
            await runtime.spawnCompute {
                computeEntered.open(with: ())
                computeRelease.wait()
            }
            // Read on the caller's side, once spawnCompute has returned: the compute count has already dropped.
            computeReturned.open(with: runtime.computeTasksInFlight)
            await asyncRelease.wait()
        }
        computeEntered.wait()
        #expect(runtime.asyncTasksInFlight == 1)
        #expect(runtime.computeTasksInFlight == 1)
        #expect(!runtime.isIdle)
        computeRelease.open(with: ())
        // The compute count drops before the caller resumes; the task then waits on asyncRelease.
        #expect(computeReturned.wait() == 0)
        #expect(runtime.computeTasksInFlight == 0)
        #expect(runtime.asyncTasksInFlight == 1)
        asyncRelease.open()
        runtime.blockOn { await task.value }
        #expect(runtime.asyncTasksInFlight == 0)
        #expect(runtime.isIdle)
    }

    @Test("waitForShutdown does not return before shutdown(), and returns once shutdown is called")
    func waitForShutdownNeedsShutdown() throws {
        let runtime = try LoomRuntime.forTests("wfs")
        defer { runtime.close() }
        let returned = Flag()
        let waiter = Task(executorPreference: runtime.asyncExecutor) {
            await runtime.waitForShutdown(); returned.set()
        }
        // Give the waiter plenty of chances to run: the runtime is idle all along, but not shut down.
        runtime.blockOn {
            for _ in 0..<200 {
                _ = await runtime.spawnCompute { 1 }
                await Task.yield()
            }
        }
        #expect(runtime.isIdle)
        #expect(!returned.isSet)
        runtime.shutdown()
        runtime.blockOn { await waiter.value }
        #expect(returned.isSet)
    }

    @Test("waitForShutdown waits for tracked work still in flight after shutdown()")
    func waitForShutdownWaitsForWork() throws {
        let runtime = try LoomRuntime.forTests("wfw")
        defer { runtime.close() }
        let entered = Gate<Void>()
        let release = Gate<Void>()
        let finished = Flag()
        runtime.spawnAsync {
            await runtime.spawnCompute {
                entered.open(with: ())
                release.wait()
            }
            finished.set()
        }
        entered.wait()
        runtime.shutdown()
        let waiterDone = Flag()
        let waiter = Task(executorPreference: runtime.asyncExecutor) {
            await runtime.waitForShutdown()
            #expect(finished.isSet)
            waiterDone.set()
        }
        #expect(!waiterDone.isSet)
        release.open(with: ())
        runtime.blockOn { await waiter.value }
        #expect(waiterDone.isSet)
    }

    @Test("blockUntilIdle waits for fire-and-forget tasks, and spawning still works after shutdown")
    func blockUntilIdleWaitsForUnawaitedTasks() throws {
        let runtime = try LoomRuntime.forTests("idle", asyncThreads: 2, computeThreads: 2)
        defer { runtime.close() }
        let counter = Counter()
        for _ in 0..<50 {
            runtime.spawnAsync {
                let value = await runtime.spawnCompute { (0..<1000).reduce(0, +) }
                counter.increment(by: value == 499_500 ? 1 : 0)
            }
        }
        runtime.blockUntilIdle()
        #expect(counter.count == 50)
        #expect(runtime.isIdle)
        // Still usable after shutdown, and still tracked.
        runtime.spawnAsync { counter.increment() }
        runtime.blockUntilIdle()
        #expect(counter.count == 51)
    }

    @Test("stress: shutdown racing the last task never loses the wake-up")
    func noLostWakeUp() throws {
        for round in 0..<TestSize.scaled(50) {
            let runtime = try LoomRuntime.forTests("race\(round % 10)", asyncThreads: 1, computeThreads: 1)
            runtime.spawnAsync { _ = await runtime.spawnCompute { round } }
            let waiter = Task(executorPreference: runtime.asyncExecutor) { await runtime.waitForShutdown() }
            runtime.shutdown()
            runtime.blockOn { await waiter.value }
            #expect(runtime.isIdle)
            runtime.close()
        }
    }

    @Test("close joins every thread after queued work, and dropping the runtime does the same")
    func closeAndDeinit() throws {
        let counter = Counter()
        do {
            let runtime = try LoomRuntime.forTests("drop")
            for _ in 0..<100 { runtime.computePool.spawn { counter.increment() } }
            runtime.close()
            #expect(counter.count == 100)
            runtime.close()  // idempotent
        }
        do {
            let runtime = try LoomRuntime.forTests("drop2")
            for _ in 0..<100 { runtime.computePool.spawn { counter.increment() } }
        }
        #expect(counter.count == 200)
    }

    @Test("a task resumed after close continues on the global executor instead of being lost")
    func taskAfterClose() async throws {
        let runtime = try LoomRuntime.forTests("late")
        let gate = AsyncGate()
        let task = runtime.spawnAsync { () async -> Int in
            await gate.wait()
            return 5
        }
        runtime.close()
        gate.open()
        #expect(await task.value == 5)
    }
}
