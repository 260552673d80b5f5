// Every entry point that runs a closure elsewhere, called the way users write it: from @MainActor code, from an actor
// and from nonisolated code. This one file is compiled into two test targets — LoomIsolationTests (Swift 6 mode) and
// LoomMainActorTests (main-actor-by-default, NonisolatedNonsendingByDefault) — and checks the results and the thread
// each closure ran on. Plain `import Loom`: only the public API.
import CoreMetrics
import Foundation
import Loom
import ServiceLifecycle
import Synchronization
import Testing

/// Where a closure ran, and what it computed.
nonisolated struct Ran<Value: Sendable>: Sendable {
    let value: Value
    let thread: String

    init(_ value: Value) {
        self.value = value
        self.thread = threadName()
    }
}

/// The calling thread's kernel name.
nonisolated func threadName() -> String {
    ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?")
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A value that is not Sendable, made on the compute pool and handed back.
nonisolated final class Payload {
    var values: [Int]
    init(_ values: [Int]) { self.values = values.sorted(by: >) }
}

/// A counter shared by jobs.
nonisolated final class Tally: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ n: Int) { self.count.add(n, ordering: .relaxed) }
    var value: Int { self.count.load(ordering: .relaxed) }
}

/// Thread names collected by jobs. Behind an `NSLock` (a pthread mutex, which ThreadSanitizer understands; it cannot
/// see inside the standard library's `Mutex`).
nonisolated final class Names: @unchecked Sendable {
    // Sendable: `names` is only touched under `lock`.
    private let lock = NSLock()
    private var names: [String] = []
    func append(_ name: String) { self.lock.withLock { self.names.append(name) } }
    var all: [String] { self.lock.withLock { self.names } }
}

/// The numbers 0..<count as an async sequence.
nonisolated struct Numbers: AsyncSequence, Sendable {
    let count: Int
    struct AsyncIterator: AsyncIteratorProtocol {
        var next = 0
        let count: Int
        mutating func next() async -> Int? {
            guard self.next < self.count else { return nil }
            defer { self.next += 1 }
            return self.next
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(count: self.count) }
}

/// What every caller checks: the results, and that each closure ran on the thread it should.
nonisolated struct Expectations {
    let runtime: LoomRuntime
    var computeThreads: Set<String> {
        Set(self.runtime.threads.filter { $0.pool == .compute }.map(\.kernelName))
    }
    var asyncThreads: Set<String> { Set(self.runtime.threads.filter { $0.pool == .async }.map(\.kernelName)) }

    func onCompute<T>(_ ran: Ran<T>, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.computeThreads.contains(ran.thread), "ran on \(ran.thread)", sourceLocation: sourceLocation)
    }
}

/// Calls every entry point with closures that use the standard library's higher-order functions (whose closures
/// trap at run time if they are actor-isolated and run off their actor) and checks results and placement.
///
/// It is `nonisolated(nonsending)`-agnostic: it is called from the main actor, from an actor and from nonisolated code,
/// and under NonisolatedNonsendingByDefault it runs on its caller's actor, which is the point of the exercise.
nonisolated func exerciseEveryEntryPoint(_ runtime: LoomRuntime, items: [Int]) async throws {
    let check = Expectations(runtime: runtime)
    let doubledSum = items.map { $0 * 2 }.reduce(0, +)

    // spawnCompute, with a stdlib closure inside, a result, a thrown error.
    let spawned = await runtime.spawnCompute { Ran(items.map { $0 * 2 }.reduce(0, +)) }
    #expect(spawned.value == doubledSum)
    check.onCompute(spawned)
    let sorted = await runtime.spawnCompute { Ran(items.sorted(by: >)) }
    #expect(sorted.value == items.sorted(by: >))
    await #expect(throws: CancellationError.self) {
        try await runtime.spawnCompute { () throws(CancellationError) -> Int in throw CancellationError() }
    }

    // A non-Sendable result comes back: `sending`.
    let payload = await runtime.spawnCompute { Payload(items) }
    payload.values.append(-1)
    #expect(payload.values.first == items.max() && payload.values.last == -1)

    // scopeCompute: spawned jobs may use the caller's (Sendable) state; all are done when it returns.
    let total = Tally()
    let chunks = await runtime.scopeCompute { scope in
        for chunk in stride(from: 0, to: items.count, by: 16) {
            let slice = Array(items[chunk..<min(chunk + 16, items.count)])
            scope.spawn { total.add(slice.filter { $0 % 2 == 0 }.count) }
        }
        return Ran((items.count + 15) / 16)
    }
    #expect(chunks.value == (items.count + 15) / 16)
    #expect(total.value == items.filter { $0 % 2 == 0 }.count)
    check.onCompute(chunks)

    // install (runtime and pool): the caller blocks, the closure runs on the pool.
    let installed = runtime.install { Ran(items.map { $0 * 2 }.reduce(0, +)) }
    #expect(installed.value == doubledSum)
    check.onCompute(installed)
    let filtered = runtime.computePool.install { Ran(items.filter { $0 % 2 == 0 }.count) }
    #expect(filtered.value == items.filter { $0 % 2 == 0 }.count)
    check.onCompute(filtered)
    let nonSendable = runtime.install { Payload(items) }
    #expect(nonSendable.values == items.sorted(by: >))

    // The pool's scope and join; the free scope and join on a worker.
    let seen = Names()
    runtime.computePool.scope { scope in
        for _ in 0..<4 { scope.spawn { seen.append(threadName()) } }
    }
    #expect(seen.all.count == 4)
    #expect(Set(seen.all).isSubset(of: check.computeThreads))
    let (left, right) = runtime.computePool.join({ Ran(items.sorted(by: <)) }, { Ran(items.map { $0 + 1 }) })
    #expect(left.value == items.sorted() && right.value == items.map { $0 + 1 })
    check.onCompute(left)
    check.onCompute(right)
    let freeJoin = runtime.install { join({ Ran(items.count) }, { Ran(items.reduce(0, +)) }) }
    #expect(freeJoin.0.value == items.count && freeJoin.1.value == items.reduce(0, +))
    check.onCompute(freeJoin.1)
    let freeScope = runtime.install { scope { _ in Ran(items.filter { $0 > 10 }.count) } }
    #expect(freeScope.value == items.filter { $0 > 10 }.count)

    // Fire and forget.
    let spawnedJob = AsyncStream<String>.makeStream()
    runtime.computePool.spawn {
        spawnedJob.continuation.yield(threadName())
        spawnedJob.continuation.finish()
    }
    var jobThreads: [String] = []
    for await name in spawnedJob.stream { jobThreads.append(name) }
    #expect(jobThreads.count == 1 && check.computeThreads.isSuperset(of: jobThreads))

    // computeMap, in order.
    var mapped: [Ran<Int>] = []
    for try await y in Numbers(count: 20).computeMap(on: runtime, { n in Ran([n, n].map { $0 * 2 }[0]) }) {
        mapped.append(y)
    }
    #expect(mapped.map(\.value) == (0..<20).map { $0 * 2 })
    for ran in mapped { check.onCompute(ran) }

    // .parallel, awaited (the task suspends) and inside install (the caller blocks). Outside a runtime an awaited
    // operation runs on ComputePool.shared; in a runtime's task, on its compute pool.
    let awaitedMap = await items.parallel.map { Ran($0 * 2) }
    #expect(awaitedMap.map(\.value) == items.map { $0 * 2 })
    #expect(awaitedMap.allSatisfy { $0.thread.hasPrefix("loom-shared") }, "\(Set(awaitedMap.map(\.thread)))")
    let inRuntime = await runtime.spawnAsync { await items.parallel.map { Ran($0 * 2) } }.value
    #expect(inRuntime.map(\.value) == items.map { $0 * 2 })
    #expect(Set(inRuntime.map(\.thread)).isSubset(of: check.computeThreads))
    #expect(await items.parallel.filter { $0 % 3 == 0 } == items.filter { $0 % 3 == 0 })
    #expect(await items.parallel.reduce(0) { $0 + $1 } == items.reduce(0, +))
    #expect(await items.parallel.sorted(by: >) == items.sorted(by: >))
    #expect(await items.parallel.first { $0 > 50 } == items.first { $0 > 50 })
    let insideInstall = runtime.install { items.parallel.map { [$0].map { $0 + 1 }[0] } }
    #expect(insideInstall == items.map { $0 + 1 })
    // The surface added for rayon users: accumulators, adapters, splitting control, in-place updates.
    let histogram = await items.parallel.minimumSplit(8).reduce(into: [Int: Int]()) { counts, x in
        counts[x % 4, default: 0] += 1
    } combine: { counts, other in
        counts.merge(other, uniquingKeysWith: +)
    }
    #expect(histogram == items.reduce(into: [Int: Int]()) { $0[$1 % 4, default: 0] += 1 })
    let withOffsets: [Int] = await items.parallel.enumerated().map { (pair) -> Int in pair.offset + pair.element }
    #expect(withOffsets == items.enumerated().map { $0 + $1 })
    let differences: [Int] = await items.parallel.zip(items.reversed()).map { (pair) -> Int in pair.0 - pair.1 }
    #expect(differences == zip(items, items.reversed()).map { $0 - $1 })
    let chunkSums: [Int] = await items.parallel.chunks(ofCount: 7).map { (chunk) -> Int in chunk.reduce(0, +) }
    #expect(chunkSums.reduce(0, +) == items.reduce(0, +))
    let updated = runtime.install { () -> [Int] in
        var copy = items
        copy.parallelUpdate { $0 += 1 }
        copy.parallelUpdate { index, element in element += index }
        return copy
    }
    #expect(updated == items.enumerated().map { $1 + 1 + $0 })
    // Fused chains: awaited, and blocking inside install.
    let chain = items.parallel.lazy.map { $0 * 3 }.filter { $0 % 2 == 0 }.compactMap { $0 > 30 ? $0 : nil }
    let chainExpected = items.map { $0 * 3 }.filter { $0 % 2 == 0 }.filter { $0 > 30 }
    #expect(await chain.sum() == chainExpected.reduce(0, +))
    #expect(await Array(chain) == chainExpected)
    #expect(await chain.first { $0 > 90 } == chainExpected.first { $0 > 90 })
    let chainInInstall = runtime.install { (chain.count(), chain.max()) }
    #expect(chainInInstall.0 == chainExpected.count && chainInInstall.1 == chainExpected.max())
    // A plain sequence in batches (awaited and blocking), chunked in-place updates, key sorts, broadcast.
    let lines = items.lazy.map { "\($0)" }
    #expect(await lines.parallel(batchSize: 16).map { Int($0)! } == items)
    let batchSum = runtime.install {
        lines.parallel(batchSize: 16).reduce(into: 0) {
            $0 += Int($1)!
        } combine: {
            $0 += $1
        }
    }
    #expect(batchSum == items.reduce(0, +))
    let reshaped = runtime.install { () -> [Int] in
        var copy = items
        copy.parallelUpdateChunks(ofCount: 16) { indices, span in
            for i in span.indices { span[i] += indices.lowerBound + i }
        }
        copy.parallelSort(byKey: { -$0 })
        copy.parallelSort(byCachedKey: { $0 % 10 })
        return copy
    }
    let shifted: [Int] = items.enumerated().map { (pair) -> Int in pair.element + pair.offset }
    let descending: [Int] = shifted.sorted { (a: Int, b: Int) -> Bool in a > b }
    let byLastDigit: [Int] = descending.sorted { (a: Int, b: Int) -> Bool in a % 10 < b % 10 }
    #expect(reshaped == byLastDigit)
    let everyWorker = runtime.computePool.broadcast { index in Ran(index) }
    #expect(everyWorker.map(\.value) == [0, 1])
    for ran in everyWorker { check.onCompute(ran) }

    // spawnAsync, and the free functions inside the runtime.
    let asyncTask = await runtime.spawnAsync { Ran(items.count) }.value
    #expect(asyncTask.value == items.count)
    #expect(check.asyncThreads.contains(asyncTask.thread), "spawnAsync ran on \(asyncTask.thread)")
    let free = await runtime.spawnAsync { () async -> [Ran<Int>] in
        let a = await spawnCompute { Ran(items.map { $0 * 3 }.reduce(0, +)) }
        let b = await scopeCompute { _ in Ran(items.count) }
        let c = await trySpawnCompute { Ran(1) }
        return [a, b] + (c.map { [$0] } ?? [])
    }.value
    #expect(free.map(\.value) == [items.map { $0 * 3 }.reduce(0, +), items.count, 1])
    for ran in free { check.onCompute(ran) }
    #expect(await trySpawnCompute { 1 } == nil)  // No current runtime here.

    // spawnBlocking (a @Sendable closure: it escapes to a blocking thread), the blocking pool as NIO's type, and the
    // runtime as a Service (a run that returns once the runtime is shut down; here outside a ServiceGroup).
    let copied = items
    let blocked = try await runtime.spawnBlocking { () throws(CancellationError) -> Int in copied.reduce(0, +) }
    #expect(blocked == items.reduce(0, +))
    let pooled = try await runtime.blockingPool.runIfActive { copied.count }
    #expect(pooled == items.count)
    let service: any Service = runtime.service(gracefulShutdownTimeout: .seconds(60))
    _ = service

    // Observability: the snapshots (values; nothing runs elsewhere) and the builder's settings for them.
    let statistics = runtime.statistics()
    #expect(statistics.spawnComputeCalls > 0)
    #expect(runtime.computePool.statistics().jobsRun == statistics.computePool.jobsRun)
    #expect(!runtime.diagnostics().threads.isEmpty)
    let hooked = HookCount()
    let observed = try LoomBuilder().prefix("observed").asyncThreads(1).computeThreads(1).pinThreads(false)
        .statistics(false).metricsInterval(.seconds(60)).metricsFactory(NOOPMetricsHandler.instance)
        .onThreadStart { _ in hooked.started.add(1, ordering: .relaxed) }
        .onThreadExit { _ in hooked.exited.add(1, ordering: .relaxed) }
        .build()
    #expect(observed.statistics().spawnComputeLatency.count == 0)
    observed.close()
    #expect(hooked.started.load(ordering: .relaxed) == 2 && hooked.exited.load(ordering: .relaxed) == 2)
    let pool = try ComputePool(threads: 1, name: "hooked", onThreadStart: { _ in }, onThreadExit: { _ in })
    pool.close()
    _ = LoomBuilder().console(path: "/tmp/entry-points.sock")

    // Sharing the async CPUs: a compute thread borrows them at idle priority; the bridge and `.parallel` still work.
    let sharing = try LoomBuilder().prefix("sharing").asyncThreads(1).computeThreads(2).pinThreads(false)
        .shareAsyncCPUs(true).build()
    let shared = await sharing.spawnCompute { (0..<1_000).parallel.map { $0 * 2 }.reduce(0, +) }
    #expect(shared == 999_000)
    sharing.close()
}

/// Counts thread hook calls.
nonisolated final class HookCount: Sendable {
    let started = Atomic<Int>(0)
    let exited = Atomic<Int>(0)
}

/// An actor that keeps state and uses the runtime for its CPU work.
actor Catalogue {
    private var items: [Int]
    private let runtime: LoomRuntime

    init(runtime: LoomRuntime, items: [Int]) {
        self.runtime = runtime
        self.items = items
    }

    /// The actor's state is copied into the closure; the closure itself is nonisolated and runs on the pool.
    func largestDoubled() async -> Int {
        let items = self.items
        let doubled = await self.runtime.spawnCompute { items.map { $0 * 2 }.max() ?? 0 }
        self.items.append(doubled)
        return doubled
    }

    func exercise() async throws {
        try await exerciseEveryEntryPoint(self.runtime, items: self.items)
    }
}

nonisolated func makeRuntime(_ prefix: String) throws -> LoomRuntime {
    try LoomBuilder().prefix(prefix).asyncThreads(1).computeThreads(2).pinThreads(false).build()
}

nonisolated let sampleItems = (0..<200).map { ($0 * 37) % 101 }

@Suite("Every entry point from the main actor, an actor and nonisolated code", .serialized)
struct EntryPointIsolationTests {
    @MainActor
    @Test("from the main actor (as in @main's async main)")
    func fromMainActor() async throws {
        let runtime = try makeRuntime("main")
        let items = sampleItems
        // The rows of the table: each compiled and trapped or failed before.
        let sum = await runtime.spawnCompute { items.map { $0 * 2 }.reduce(0, +) }
        #expect(sum == items.map { $0 * 2 }.reduce(0, +))
        let evens = await runtime.scopeCompute { _ in items.filter { $0 % 2 == 0 }.count }
        #expect(evens == items.filter { $0 % 2 == 0 }.count)
        let payload = await runtime.spawnCompute { Payload(items) }
        #expect(payload.values.count == items.count)
        #expect(runtime.install { items.map { $0 * 2 }.reduce(0, +) } == sum)
        #expect(runtime.computePool.install { items.filter { $0 % 2 == 0 }.count } == evens)
        try await exerciseEveryEntryPoint(runtime, items: items)
        runtime.close()
    }

    @Test("from an actor")
    func fromActor() async throws {
        let runtime = try makeRuntime("actor")
        let catalogue = Catalogue(runtime: runtime, items: sampleItems)
        #expect(await catalogue.largestDoubled() == (sampleItems.max() ?? 0) * 2)
        try await catalogue.exercise()
        runtime.close()
    }

    @Test("from nonisolated code")
    nonisolated func fromNonisolated() async throws {
        let runtime = try makeRuntime("noniso")
        try await exerciseEveryEntryPoint(runtime, items: sampleItems)
        runtime.close()
    }
}

/// What crosses the bridge: inside spawnCompute the calling task travels (cancellation, task-locals, priority); install,
/// join and `.parallel` closures run outside any task.
@Suite("Task context across the bridge")
nonisolated struct TaskContextTests {
    @TaskLocal static var requestID: String?

    @Test("task-locals are visible inside spawnCompute and scopeCompute")
    func taskLocals() async throws {
        let runtime = try makeRuntime("tlocal")
        let seen = await Self.$requestID.withValue("r-17") {
            await runtime.spawnCompute { Self.requestID }
        }
        #expect(seen == "r-17")
        let scoped = await Self.$requestID.withValue("r-18") {
            await runtime.scopeCompute { _ in Self.requestID }
        }
        #expect(scoped == "r-18")
        // Outside any task: install's closure sees no task and the default value.
        let inInstall = Self.$requestID.withValue("r-19") {
            runtime.install { (Self.requestID, withUnsafeCurrentTask { $0 == nil }, Task.isCancelled) }
        }
        #expect(inInstall.0 == nil && inInstall.1 && !inInstall.2)
        runtime.close()
    }

    @Test("the calling task's priority is visible inside spawnCompute")
    func priority() async throws {
        let runtime = try makeRuntime("prio")
        let seen = await Task(priority: .high) { await runtime.spawnCompute { Task.currentPriority } }.value
        #expect(seen >= .high)
        runtime.close()
    }

    @Test("cancelling the awaiting task is visible to long work inside spawnCompute")
    func cancellation() async throws {
        let runtime = try makeRuntime("cancel")
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let task = Task {
            try await runtime.spawnCompute { () throws(CancellationError) -> Int in
                startedContinuation.yield()
                var rounds = 0
                while true {
                    if Task.isCancelled { throw CancellationError() }  // Once the awaiting task is cancelled.
                    rounds += 1
                    if rounds % 1024 == 0 { sched_yield() }
                }
            }
        }
        for await _ in started { break }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        runtime.close()
    }
}
