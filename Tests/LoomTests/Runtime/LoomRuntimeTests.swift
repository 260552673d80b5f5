import Synchronization
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

private func fetch() async -> Int { 40 }
private func fetchOrFail() async throws -> Int { 40 }

@Suite("LoomRuntime", .timeLimit(.minutes(10)))
struct LoomRuntimeTests {
    @Test("on a one-thread async pool, a task that keeps yielding does not starve work from other threads")
    func yieldingTaskDoesNotStarveOthers() throws {
        let runtime = try LoomRuntime.forTests("starve", asyncThreads: 1, computeThreads: 1)
        defer { runtime.close() }
        let stop = Flag()
        let yields = Counter()
        let spinner = runtime.spawnAsync {
            // Each yield re-enqueues this task from the pool's own thread (the local queue).
            while !stop.isSet {
                yields.increment()
                await Task.yield()
            }
        }
        // Enqueued from this thread, so through the shared queue: it must get a turn between the yields.
        for _ in 0..<100 { runtime.blockOn { () async in () } }
        runtime.blockOn { stop.set() }
        runtime.blockOn { await spinner.value }
        #expect(stop.isSet && yields.count > 0)
    }

    @Test("the README's building example: prefix, thread counts, description")
    func buildExample() throws {
        let runtime = try LoomBuilder()
            .prefix("myapp")
            .asyncThreads(2)
            .computeThreads(6)
            .build()
        defer { runtime.close() }
        #expect(runtime.configuration.asyncThreads == 2 && runtime.configuration.computeThreads == 6)
        #expect(runtime.threads.filter { $0.pool == .async }.map(\.name) == ["myapp-async-0000", "myapp-async-0001"])
        #expect(runtime.threads.filter { $0.pool == .compute }.count == 6)
        #expect(runtime.computePool.threadCount == 6)
        let c = runtime.configuration
        #expect(
            runtime.description
                == "LoomRuntime[myapp]: async(2, cpus=\(c.asyncCPUs)) compute(6, cpus=\(c.computeCPUs))"
        )
    }

    @Test("the README's runtime example runs: spawnAsync, spawnCompute and install inside blockOn")
    func runtimeExample() throws {
        let runtime = try LoomRuntime.forTests("ex")
        defer { runtime.close() }
        let data = Array(0..<1000)
        // The README's example with a fetch() that throws (so spawnAsync returns Task<Int, any Error> and `try` is needed).
        let value = try runtime.blockOn {
            let io = runtime.spawnAsync { try await fetchOrFail() }
            let sum = await runtime.spawnCompute {
                (0..<1_000_000).reduce(0, +)
            }
            let doubled = runtime.install {
                data.map { $0 * 2 }
            }
            return try await io.value + sum + doubled.count
        }
        #expect(value == 40 + 499_999_500_000 + 1000)
        // ... and with a fetch() that does not throw: Task<Int, Never>, no `try` anywhere.
        let plain = runtime.blockOn {
            let io = runtime.spawnAsync { await fetch() }
            let sum = await runtime.spawnCompute { (0..<1_000).reduce(0, +) }
            return await io.value + sum
        }
        #expect(plain == 40 + 499_500)
        runtime.blockUntilIdle()
        #expect(runtime.isIdle)
    }

    @Test("closures run on the threads they should: async pool, compute pool, and back")
    func placement() throws {
        let runtime = try LoomRuntime.forTests("pl", asyncThreads: 1, computeThreads: 2)
        defer { runtime.close() }
        let caller = LoomRuntime.threadName
        let names = runtime.blockOn { () async -> [String] in
            var names = [LoomRuntime.threadName]
            names.append(await runtime.spawnCompute { LoomRuntime.threadName })
            names.append(LoomRuntime.threadName)
            names.append(await runtime.spawnAsync { LoomRuntime.threadName }.value)
            names.append(await runtime.scopeCompute { _ in LoomRuntime.threadName })
            names.append(runtime.install { LoomRuntime.threadName })
            names.append(LoomRuntime.threadName)
            return names
        }
        #expect(names[0] == "pl-async-0000")
        #expect(names[1].hasPrefix("pl-c"))
        #expect(names[2] == "pl-async-0000")
        #expect(names[3] == "pl-async-0000")
        #expect(names[4].hasPrefix("pl-c"))
        #expect(names[5].hasPrefix("pl-c"))
        #expect(names[6] == "pl-async-0000")
        #expect(LoomRuntime.threadName == caller)  // blockOn's caller is never renamed
    }

    @Test("LoomRuntime.current is set on both pools and in blockOn bodies, nil elsewhere")
    func current() throws {
        let runtime = try LoomRuntime.forTests("cur")
        defer { runtime.close() }
        #expect(LoomRuntime.current == nil)
        let seen = runtime.blockOn { () async -> [Bool] in
            let onAsync = LoomRuntime.current === runtime
            let onCompute = await runtime.spawnCompute { LoomRuntime.current === runtime }
            let onMain = await MainActor.run { LoomRuntime.current === runtime }
            let inTask = await runtime.spawnAsync { LoomRuntime.current === runtime }.value
            return [onAsync, onCompute, onMain, inTask]
        }
        #expect(seen == [true, true, true, true])
        #expect(runtime.install { LoomRuntime.current === runtime })
        #expect(LoomRuntime.current == nil)
    }

    @Test("trySpawnCompute is nil outside a runtime")
    func trySpawnComputeOutside() async {
        #expect(await trySpawnCompute { 1 } == nil)
    }

    @Test("free spawnCompute and scopeCompute use the current runtime")
    func freeFunctions() throws {
        let runtime = try LoomRuntime.forTests("free")
        defer { runtime.close() }
        let (a, b, c) = runtime.blockOn { () async -> (Int, Int, Int?) in
            let a = await spawnCompute { (1...10).reduce(0, +) }
            let b = await scopeCompute { scope in
                let counter = Counter()
                for _ in 0..<10 { scope.spawn { counter.increment() } }
                return 7
            }
            let c = await trySpawnCompute { 3 }
            return (a, b, c)
        }
        #expect(a == 55 && b == 7 && c == 3)
    }

    @Test("spawnCompute's closure may capture and mutate local state")
    func capturesLocals() throws {
        let runtime = try LoomRuntime.forTests("loc")
        defer { runtime.close() }
        let result = runtime.blockOn { () async -> [Int] in
            var local = [1, 2, 3]
            await runtime.spawnCompute { local.append(local.reduce(0, +)) }
            return local
        }
        #expect(result == [1, 2, 3, 6])
    }

    @Test("errors thrown on the compute pool reach the awaiting caller with their type")
    func computeErrors() throws {
        let runtime = try LoomRuntime.forTests("err")
        defer { runtime.close() }
        #expect(throws: TestError(id: 7)) {
            try runtime.blockOn { () async throws(TestError) -> Int in
                try await runtime.spawnCompute { () throws(TestError) -> Int in throw TestError(id: 7) }
            }
        }
        #expect(throws: TestError(id: 8)) {
            try runtime.blockOn { () async throws(TestError) -> Int in
                try await runtime.scopeCompute { (_) throws(TestError) -> Int in throw TestError(id: 8) }
            }
        }
        #expect(runtime.computeTasksInFlight == 0)
    }

    @Test("blockOn rethrows the body's error")
    func blockOnError() throws {
        let runtime = try LoomRuntime.forTests("boe")
        defer { runtime.close() }
        #expect(throws: TestError(id: 9)) {
            try runtime.blockOn { () async throws(TestError) -> Int in throw TestError(id: 9) }
        }
    }

    @Test("the async executor keeps untracked tasks on the async pool across awaits")
    func asyncExecutor() async throws {
        let runtime = try LoomRuntime.forTests("exe")
        defer { runtime.close() }
        let names = await Task(executorPreference: runtime.asyncExecutor) { () async -> [String] in
            let before = LoomRuntime.threadName
            await Task.yield()
            let afterYield = LoomRuntime.threadName
            let afterCompute = await runtime.spawnCompute { 0 }
            _ = afterCompute
            return [before, afterYield, LoomRuntime.threadName]
        }.value
        #expect(names == ["exe-async-0000", "exe-async-0000", "exe-async-0000"])
        #expect(runtime.asyncTasksInFlight == 0)  // untracked
    }

    @Test("10 000 concurrent spawnCompute calls from 100 tasks: nothing lost")
    func manyConcurrentCalls() throws {
        let runtime = try LoomRuntime.forTests("many", asyncThreads: 2, computeThreads: 2)
        defer { runtime.close() }
        let perTask = TestSize.scaled(100)
        let total = runtime.blockOn { () async -> Int in
            await withTaskGroup(of: Int.self) { group in
                for task in 0..<100 {
                    group.addTask {
                        var sum = 0
                        for i in 0..<perTask { sum += await runtime.spawnCompute { task * perTask + i } }
                        return sum
                    }
                }
                return await group.reduce(0, +)
            }
        }
        let n = 100 * perTask
        #expect(total == n * (n - 1) / 2)
        #expect(runtime.computeTasksInFlight == 0)
    }
}
