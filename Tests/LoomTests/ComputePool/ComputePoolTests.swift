import Dispatch
import Synchronization
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

private func fib(_ n: Int) -> Int { n < 2 ? n : fib(n - 1) + fib(n - 2) }

private func parallelFib(_ n: Int) -> Int {
    if n < 2 { return n }
    let (a, b) = join({ parallelFib(n - 1) }, { parallelFib(n - 2) })
    return a + b
}

private func nest(_ depth: Int) -> Int {
    if depth == 0 { return 0 }
    let (a, b) = join({ nest(depth - 1) }, { 1 })
    return a + b
}

@Suite("ComputePool", .timeLimit(.minutes(10)))
struct ComputePoolTests {
    @Test("join returns both results, from inside and outside the pool")
    func joinResults() throws {
        let pool = try ComputePool(threads: 2, name: "t-join")
        let (a, b) = pool.join({ 20 }, { "x" })
        #expect(a == 20 && b == "x")
        let inside = pool.install { pool.join({ fib(15) }, { fib(16) }) }
        #expect(inside == (610, 987))
    }

    @Test("recursive join computes the same value as the sequential code")
    func recursiveJoin() throws {
        let pool = try ComputePool(threads: 3, name: "t-fib")
        #expect(pool.install { parallelFib(22) } == fib(22))
    }

    @Test("joins nested 10 000 deep do not overflow the stack")
    func deepNesting() throws {
        // ThreadSanitizer tracks calls on a fixed shadow stack of about 64 K frames per thread, and one join level
        // is about a dozen frames in a debug build; beyond ~5 000 levels TSan corrupts its own state. The plain
        // `swift test` run checks the full 10 000 levels.
        let depth = runningUnderThreadSanitizer ? 3_000 : 10_000
        let pool = try ComputePool(threads: 2, name: "t-deep")
        #expect(pool.install { nest(depth) } == depth)
    }

    @Test("join from outside every pool runs on the shared pool")
    func freeJoinUsesShared() {
        let (a, b) = join({ WorkerThread.current?.registry === ComputePool.shared.registry }, { 2 })
        #expect(a && b == 2)
    }

    @Test("install runs inline on a worker of the same pool and on a worker from outside")
    func installPlacement() throws {
        let pool = try ComputePool(threads: 2, name: "t-inst")
        #expect(WorkerThread.current == nil)
        let outer = pool.install { WorkerThread.current.map(ObjectIdentifier.init) }
        #expect(outer != nil)
        let nested = pool.install { () -> Bool in
            let me = WorkerThread.current.map(ObjectIdentifier.init)
            return pool.install { WorkerThread.current.map(ObjectIdentifier.init) } == me
        }
        #expect(nested)
    }

    @Test("pools may install into each other without deadlocking, even with one thread each")
    func crossPoolInstall() throws {
        let a = try ComputePool(threads: 1, name: "t-xa")
        let b = try ComputePool(threads: 1, name: "t-xb")
        let value = a.install { b.install { a.install { b.install { 42 } } } }
        #expect(value == 42)
    }

    @Test("scope waits for every spawned job, including nested spawns")
    func scopeWaits() throws {
        let pool = try ComputePool(threads: 2, name: "t-scope")
        let counter = Counter()
        let chunks = (0..<100).map { Array($0 * 10..<($0 + 1) * 10) }
        pool.scope { s in
            for chunk in chunks {
                s.spawn {
                    counter.increment(by: chunk.reduce(0, +))
                    s.spawn { counter.increment(by: 1) }
                }
            }
        }
        #expect(counter.count == (0..<1000).reduce(0, +) + 100)
    }

    @Test("free scope runs on the shared pool and returns the body's value")
    func freeScope() {
        let counter = Counter()
        let value = scope { s in
            for _ in 0..<50 { s.spawn { counter.increment() } }
            return "done"
        }
        #expect(value == "done" && counter.count == 50)
    }

    @Test("an error thrown by join's first closure is rethrown")
    func joinErrorA() throws {
        let pool = try ComputePool(threads: 2, name: "t-errA")
        #expect(throws: TestError(id: 1)) {
            try pool.join({ () throws(TestError) -> Int in throw TestError(id: 1) }, { () throws(TestError) in 2 })
        }
        // Untyped throws: a throwing and a non-throwing closure mix without annotations.
        @Sendable func fails() throws -> Int { throw TestError(id: 9) }
        #expect(throws: TestError(id: 9)) { try pool.join({ try fails() }, { 2 }) }
    }

    @Test("an error thrown by join's second closure is rethrown, also when stolen")
    func joinErrorB() throws {
        let pool = try ComputePool(threads: 2, name: "t-errB")
        for _ in 0..<200 {
            #expect(throws: TestError(id: 2)) {
                try pool.join(
                    { () throws(TestError) in fib(12) },
                    { () throws(TestError) -> Int in throw TestError(id: 2) }
                )
            }
        }
    }

    @Test("when both halves throw, the first closure's error wins")
    func joinBothThrow() throws {
        let pool = try ComputePool(threads: 2, name: "t-errAB")
        for _ in 0..<100 {
            #expect(throws: TestError(id: 1)) {
                try pool.join(
                    { () throws(TestError) -> Int in throw TestError(id: 1) },
                    { () throws(TestError) -> Int in throw TestError(id: 2) }
                )
            }
        }
    }

    @Test("on a one-thread pool a failed first closure means the second never runs")
    func joinSkipsSecondAfterError() throws {
        let pool = try ComputePool(threads: 1, name: "t-skip")
        let ran = Counter()
        #expect(throws: TestError(id: 3)) {
            try pool.install { () throws(TestError) -> (Int, Int) in
                try pool.join(
                    { () throws(TestError) -> Int in throw TestError(id: 3) },
                    { () throws(TestError) -> Int in
                        ran.increment()
                        return 1
                    }
                )
            }
        }
        #expect(ran.count == 0)
    }

    @Test("scope rethrows the body's error only after every spawned job finished")
    func scopeError() throws {
        let pool = try ComputePool(threads: 2, name: "t-scerr")
        let counter = Counter()
        #expect(throws: TestError(id: 4)) {
            try pool.scope { (s) throws(TestError) in
                for _ in 0..<200 { s.spawn { counter.increment() } }
                throw TestError(id: 4)
            }
        }
        #expect(counter.count == 200)
    }

    @Test("install rethrows the body's error")
    func installError() throws {
        let pool = try ComputePool(threads: 1, name: "t-insterr")
        #expect(throws: TestError(id: 5)) { try pool.install { () throws(TestError) in throw TestError(id: 5) } }
    }

    @Test("closing a pool runs the queued fire-and-forget jobs first")
    func closeRunsQueuedWork() throws {
        let pool = try ComputePool(threads: 1, name: "t-close")
        let counter = Counter()
        for _ in 0..<1000 { pool.spawn { counter.increment() } }
        pool.close()
        #expect(counter.count == 1000)
        pool.close()  // idempotent
    }

    @Test("dropping the last reference joins the threads after queued work")
    func deinitRunsQueuedWork() throws {
        let counter = Counter()
        do {
            let pool = try ComputePool(threads: 2, name: "t-drop")
            for _ in 0..<500 { pool.spawn { counter.increment() } }
        }
        #expect(counter.count == 500)
    }

    @Test("jobs spawned by a job while the pool closes still run")
    func spawnDuringClose() throws {
        let pool = try ComputePool(threads: 2, name: "t-chain")
        let counter = Counter()
        pool.spawn {
            ComputePool.currentRegistry!.spawn(
                HeapJob.make {
                    counter.increment()
                }
            )
            counter.increment()
        }
        pool.close()
        #expect(counter.count == 2)
    }

    @Test("a pool needs at least one thread")
    func zeroThreads() {
        #expect(throws: LoomError.self) { try ComputePool(threads: 0) }
        do {
            _ = try ComputePool(threads: 0, name: "z")
        } catch {
            #expect(error.description.contains("\"0\"") && error.code == .invalidConfiguration)
        }
    }

    @Test(
        "stress: bursts spawned from outside run while workers search, sleep or yield; no wake-up is lost",
        arguments: [2, 3]  // 3 threads on a 2-CPU machine: the oversubscribed (yielding) mode
    )
    func burstsFromOutside(threads: Int) throws {
        let pool = try ComputePool(threads: threads, name: "t-burst")
        let ran = Counter()
        let done = DispatchSemaphore(value: 0)
        let rounds = TestSize.scaled(3_000)
        var expected = 0
        var stuck = false
        for round in 0..<rounds where !stuck {
            let burst = 1 + round % 6
            for _ in 0..<burst {
                pool.spawn {
                    ran.increment()
                    done.signal()
                }
            }
            expected += burst
            // A hang guard, not a timing check: a lost wake-up would leave jobs queued with every worker parked.
            for _ in 0..<burst where done.wait(timeout: .now() + .seconds(60)) == .timedOut { stuck = true }
        }
        #expect(!stuck, "a spawned job never ran: \(ran.count) of \(expected)")
        #expect(ran.count == expected)
    }

    @Test("a waiter that finds the latch set while preparing to sleep sees what the setter wrote (acquire)")
    func prepareToSleepAcquires() throws {
        // The waiter learns that the latch is set only from prepareToSleep()'s failed compare-exchange, as
        // waitBlocking() can, and then reads the job's result. Under ThreadSanitizer this reports a data race on
        // `payload` if that failure is not an acquire (it was relaxed once, and the CI's TSan run caught it).
        struct Shared: @unchecked Sendable {  // Unchecked: the point of the test is how the two threads meet.
            let latch = UnsafeMutablePointer<Latch>.allocate(capacity: 1)
            let payload = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        }
        let shared = Shared()
        let parker = Parker.make()  // Its own parker: no token is left on the test thread's.
        defer { parker.recycle() }
        shared.latch.initialize(to: Latch(waiter: .thread(parker)))
        shared.payload.initialize(to: 0)
        defer {
            shared.latch.deinitialize(count: 1)
            shared.latch.deallocate()
            shared.payload.deallocate()
        }
        let info = LoomThreadInfo(
            pool: .compute,
            index: 0,
            name: "latch-setter",
            kernelName: "latch-setter",
            cpus: CPUSet()
        )
        let setter = try PinnedThread.start(info) {
            shared.payload.pointee = 42  // The "result", written before the swap.
            shared.latch.pointee.set()
        }
        while shared.latch.pointee.prepareToSleep() { shared.latch.pointee.wokeUp() }  // Until it finds it set.
        #expect(shared.payload.pointee == 42)
        setter.join()
    }

    @Test("stress: many threads install and join concurrently; every result is right")
    func stressInstalls() throws {
        let pool = try ComputePool(threads: 2, name: "t-stress")
        let wrong = Counter()
        let rounds = TestSize.scaled(200)
        onThreads(6) { thread in
            for round in 0..<rounds {
                let n = 10 + (round + thread) % 8
                if pool.install({ parallelFib(n) }) != fib(n) { wrong.increment() }
            }
        }
        #expect(wrong.count == 0)
    }
}
