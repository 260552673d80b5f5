import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

/// Stands in for a server: says when it runs; on graceful shutdown it lets its requests go on (opens `release`)
/// and returns, as a server does once it stops accepting.
private struct ServerStandIn: Service {
    let running: AsyncGate
    let release: AsyncGate

    func run() async throws {
        self.running.open()
        await withGracefulShutdownHandler {
            await gracefulShutdownSignal()
        } onGracefulShutdown: {
            self.release.open()
        }
    }
}

/// Returns once graceful shutdown has been triggered for the calling service.
private func gracefulShutdownSignal() async {
    let signal = AsyncGate()
    await withGracefulShutdownHandler {
        await signal.wait()
    } onGracefulShutdown: {
        signal.open()
    }
}

/// The kernel names of the process's threads now.
private func threadNames() -> Set<String> {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return Set(tasks.compactMap { SysfsReader.live.readTrimmed("/proc/self/task/\($0)/comm") })
}

/// A few hundred microseconds of CPU work the optimizer cannot remove.
private func work(_ rounds: Int) -> UInt64 {
    var x: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<rounds { x ^= x << 13; x ^= x >> 7; x ^= x << 17 }
    return x
}

@Suite("LoomRuntime as a Service", .timeLimit(.minutes(10)))
struct ServiceTests {
    @Test("graceful shutdown of a ServiceGroup: tracked work in flight completes, then every runtime thread is gone")
    func gracefulShutdown() async throws {
        let runtime = try LoomRuntime.forTests("svcgrace", asyncThreads: 1, computeThreads: 2)
        let loops = runtime.eventLoopGroup  // Its I/O threads too.
        // Each thread names itself when it starts; make sure each has run something since (a round trip through every
        // compute worker, the async thread and every event loop), so that its name is in /proc.
        _ = runtime.computePool.broadcast { $0 }
        await runtime.spawnAsync {}.value
        for loop in loops.makeIterator() { try await loop.submit {}.get() }
        let kernelNames = Set(runtime.threads.map(\.kernelName))
        #expect(kernelNames.count == 4)
        #expect(kernelNames.isSubset(of: threadNames()))

        let running = AsyncGate()
        let release = AsyncGate()
        let completed = LockedValue(0)
        let requests = 32
        for _ in 0..<requests {
            runtime.spawnAsync {
                await release.wait()
                for _ in 0..<3 { _ = await runtime.spawnCompute { work(200_000) } }
                completed.withLock { $0 += 1 }
            }
        }
        #expect(runtime.asyncTasksInFlight == requests)
        let group = ServiceGroup(
            services: [runtime, ServerStandIn(running: running, release: release)],
            logger: Logger(label: "loom-test")
        )
        let run = Task { try await group.run() }
        await running.wait()
        await group.triggerGracefulShutdown()
        try await run.value

        // run() returned only after every request had finished, and after the threads had stopped.
        #expect(completed.withLock { $0 } == requests)
        #expect(runtime.asyncTasksInFlight == 0 && runtime.computeTasksInFlight == 0)
        #expect(threadNames().isDisjoint(with: kernelNames))
    }

    @Test("with a deadline: run() stops waiting, logs what is still in flight, and the pools stop anyway")
    func deadline() async throws {
        let log = CapturedLog()
        let runtime = try LoomBuilder().prefix("svcdead").asyncThreads(1).computeThreads(1).pinThreads(false)
            .logger(log.logger).build()
        let kernelNames = Set(runtime.threads.map(\.kernelName))
        let stuck = AsyncGate()
        let finished = LockedValue(false)
        runtime.spawnAsync {
            await stuck.wait()
            finished.withLock { $0 = true }
        }
        let group = ServiceGroup(
            services: [runtime.service(gracefulShutdownTimeout: .milliseconds(50))],
            logger: Logger(label: "loom-test")
        )
        let run = Task { try await group.run() }
        await group.triggerGracefulShutdown()
        try await run.value

        #expect(!finished.withLock { $0 })  // The stuck task could not have finished: its gate is still shut.
        let warning = await log.first(containing: "still in flight")
        #expect(warning.contains("1 async and 0 compute tasks still in flight"))
        #expect(threadNames().isDisjoint(with: kernelNames))
        stuck.open()  // It resumes on the global executor and ends.
    }

    @Test("cancelling the group's task also shuts the runtime down once its work is done")
    func cancellation() async throws {
        let runtime = try LoomRuntime.forTests("svccancel", asyncThreads: 1, computeThreads: 1)
        let kernelNames = Set(runtime.threads.map(\.kernelName))
        let value = await runtime.spawnAsync { await runtime.spawnCompute { 6 * 7 } }.value
        #expect(value == 42)
        let group = ServiceGroup(services: [runtime], logger: Logger(label: "loom-test"))
        let run = Task { try await group.run() }
        run.cancel()
        _ = try? await run.value
        #expect(threadNames().isDisjoint(with: kernelNames))
    }
}
