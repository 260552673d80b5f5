import Foundation
import NIOPosix
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

/// Counts arrivals and lets a test wait until a number of them have happened (no sleeps).
private final class Arrivals: Sendable {
    private let state = LockedValue<(count: Int, waiters: [(Int, UnsafeContinuation<Void, Never>)])>((0, []))

    var count: Int { self.state.withLock { $0.count } }

    func arrive() {
        let ready = self.state.withLock { state -> [UnsafeContinuation<Void, Never>] in
            state.count += 1
            let now = state.waiters.filter { $0.0 <= state.count }.map(\.1)
            state.waiters.removeAll { $0.0 <= state.count }
            return now
        }
        for waiter in ready { waiter.resume() }
    }

    func wait(for count: Int) async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let now = self.state.withLock { state -> Bool in
                if state.count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }
}

@Suite("spawnBlocking and blockingPool", .timeLimit(.minutes(10)))
struct BlockingPoolTests {
    @Test("spawnBlocking runs on a {prefix}-blocking-NNNN thread, is tracked, and returns or throws the body's result")
    func runsOnBlockingThread() async throws {
        let runtime = try LoomBuilder().prefix("blk").asyncThreads(1).computeThreads(1).pinThreads(false)
            .blockingThreads(2).build()
        defer { runtime.close() }
        let name = await runtime.spawnBlocking { LoomRuntime.currentThreadName() }
        let blocking = runtime.threads.filter { $0.pool == .blocking }
        #expect(blocking.map(\.name) == ["blk-blocking-0000", "blk-blocking-0001"])
        #expect(blocking.map(\.kernelName).contains(name))  // What Linux shows: at most 15 bytes (blk-b0, blk-b1).

        struct Failure: Error, Equatable {}
        await #expect(throws: Failure.self) {
            try await runtime.spawnBlocking { () throws(Failure) in throw Failure() }
        }

        let release = Gate<Bool>()
        let started = Arrivals()
        let call = Task {
            await runtime.spawnBlocking {
                started.arrive(); return release.wait()
            }
        }
        await started.wait(for: 1)
        #expect(runtime.computeTasksInFlight == 1)  // Tracked while the body blocks.
        release.open(with: true)
        #expect(await call.value)
        runtime.shutdown()
        await runtime.waitForShutdown()
        #expect(runtime.computeTasksInFlight == 0)
    }

    @Test("the pool is bounded: with 2 threads a third call waits until one ends")
    func bounded() async throws {
        let runtime = try LoomBuilder().prefix("blkb").asyncThreads(1).computeThreads(1).pinThreads(false)
            .blockingThreads(2).build()
        defer { runtime.close() }
        let release = Gate<Bool>()
        let started = Arrivals()
        let calls = (0..<3).map { _ in
            Task {
                await runtime.spawnBlocking {
                    started.arrive(); return release.wait()
                }
            }
        }
        await started.wait(for: 2)
        // Both threads are held by the gate, so the third call cannot have started.
        #expect(started.count == 2)
        #expect(runtime.computeTasksInFlight == 3)
        release.open(with: true)
        for call in calls { #expect(await call.value) }
        #expect(started.count == 3)
    }

    @Test("blockingPool is an NIOThreadPool on the async CPUs, usable by NIO users, and stops with the runtime")
    func nioThreadPool() async throws {
        let runtime = try LoomRuntime.forTests("blkn", asyncThreads: 1, computeThreads: 1, pin: true)
        let pool: NIOThreadPool = runtime.blockingPool
        #expect(pool === runtime.blockingPool)
        let (name, cpus) = try await pool.runIfActive {
            (LoomRuntime.currentThreadName(), CPUSet.currentThreadAffinity())
        }
        let blocking = runtime.threads.filter { $0.pool == .blocking }
        #expect(blocking.map(\.kernelName).contains(name))
        #expect(cpus == runtime.configuration.asyncCPUs)
        #expect(blocking.count == LoomConfiguration.defaultBlockingThreads)
        #expect(blocking.allSatisfy { $0.cpus == runtime.configuration.asyncCPUs })
        let kernelNames = Set(blocking.map(\.kernelName))
        runtime.close()
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        let alive = Set(tasks.compactMap { SysfsReader.live.readTrimmed("/proc/self/task/\($0)/comm") })
        #expect(alive.isDisjoint(with: kernelNames))
    }

    @Test("a pool shut down underneath the runtime (as Vapor does with app.threadPool) loses no call")
    func poolShutDownUnderneath() async throws {
        let log = CapturedLog()
        let runtime = try LoomBuilder().prefix("blkgone").asyncThreads(1).computeThreads(1).pinThreads(false)
            .blockingThreads(1).logger(log.logger).build()
        // One call holds the only thread; a second is queued behind it when the pool is shut down.
        let release = Gate<Bool>()
        let started = Arrivals()
        let holding = Task {
            await runtime.spawnBlocking {
                started.arrive(); return release.wait()
            }
        }
        await started.wait(for: 1)
        let queued = Task { await runtime.spawnBlocking { LoomRuntime.currentThreadName() } }
        // Until the second call is counted; it is submitted at once after that (if it is not yet when the pool
        // shuts down, it meets a stopped pool, which ends the same way).
        while runtime.computeTasksInFlight < 2 { await Task.yield() }
        // The pool stops taking work at once and hands its queue back cancelled; it finishes when the thread is free.
        let stopped = AsyncGate()
        runtime.blockingPool.shutdownGracefully { _ in stopped.open() }
        release.open(with: true)
        #expect(await holding.value)
        // The queued call ran (on a thread started for it), and so does one made after the shutdown.
        let ranOn = await queued.value
        #expect(ranOn == "blkgone-blkx")
        await stopped.wait()
        #expect(await runtime.spawnBlocking { 6 * 7 } == 42)
        #expect(runtime.computeTasksInFlight == 0)
        let notice = await log.first(containing: "blocking pool has been shut down")
        #expect(notice.contains("Vapor"))
        runtime.close()
    }

    @Test("blocking_threads is checked like the other thread counts")
    func badCounts() throws {
        expectLoomError(
            LoomBuilder.hermetic().blockingThreads(0),
            .invalidConfiguration,
            containing: ["\"0\"", "blocking_threads", "blockingThreads"]
        )
        expectLoomError(
            LoomBuilder.hermetic(environment: ["LOOM_BLOCKING_THREADS": "5000"]).envPrefix("LOOM"),
            .invalidConfiguration,
            containing: ["\"5000\"", "blocking_threads", "LOOM_BLOCKING_THREADS", "at most 4096"]
        )
        #expect(try LoomBuilder.hermetic().resolve().blockingThreads == 4)
    }
}
