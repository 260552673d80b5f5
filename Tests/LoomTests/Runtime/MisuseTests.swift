import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

/// Misuse that would deadlock traps with a message; each case runs in a child process (an exit test).
@Suite("LoomRuntime misuse traps")
struct MisuseTests {
    @Test("blockOn from a Loom thread traps instead of deadlocking")
    func blockOnFromLoomThread() async {
        await #expect(processExitsWith: .failure) {
            let runtime = try LoomBuilder().prefix("mis").asyncThreads(1).computeThreads(1).pinThreads(false).build()
            runtime.install { _ = runtime.blockOn { 1 } }
        }
    }

    @Test("blockUntilIdle from a Loom thread traps")
    func blockUntilIdleFromLoomThread() async {
        await #expect(processExitsWith: .failure) {
            let runtime = try LoomBuilder().prefix("mis").asyncThreads(1).computeThreads(1).pinThreads(false).build()
            runtime.install { runtime.blockUntilIdle() }
        }
    }

    @Test("close from a Loom thread traps")
    func closeFromLoomThread() async {
        await #expect(processExitsWith: .failure) {
            let runtime = try LoomBuilder().prefix("mis").asyncThreads(1).computeThreads(1).pinThreads(false).build()
            synchronousBlockOn(runtime) { await runtime.spawnCompute { runtime.close() } }
        }
    }

    @Test("free spawnCompute outside a runtime traps")
    func spawnComputeOutsideRuntime() async {
        await #expect(processExitsWith: .failure) {
            _ = await spawnCompute { 1 }
        }
    }

    @Test("blockOn from the main actor's async code (through a synchronous function) traps, saying what to do")
    func blockOnFromMainActor() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let runtime = try LoomBuilder().prefix("mis").asyncThreads(1).computeThreads(1).pinThreads(false).build()
            await MainActor.run { _ = synchronousBlockOn(runtime) { 1 } }
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message.contains("LoomRuntime.blockOn was called from the main actor's async code"))
        #expect(message.contains("await the work instead"))
    }

    @Test("blockUntilIdle from the main actor's async code traps, pointing at waitForShutdown")
    func blockUntilIdleFromMainActor() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let runtime = try LoomBuilder().prefix("mis").asyncThreads(1).computeThreads(1).pinThreads(false).build()
            await MainActor.run { synchronousBlockUntilIdle(runtime) }
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message.contains("LoomRuntime.blockUntilIdle was called from the main actor's async code"))
        #expect(message.contains("waitForShutdown()"))
    }

    @Test("blockOn from a task on Swift's cooperative pool works, and warns once through the runtime's logger")
    func blockOnFromCooperativePool() async throws {
        let log = CapturedLog()
        let runtime = try LoomBuilder().prefix("coop").asyncThreads(1).computeThreads(1).pinThreads(false)
            .logger(log.logger).build()
        defer { runtime.close() }
        for _ in 0..<3 {
            let value = await Task.detached { synchronousBlockOn(runtime) { await runtime.spawnCompute { 6 * 7 } } }
                .value
            #expect(value == 42)
        }
        let warnings = log.messages.filter { $0.contains("from inside a Swift task") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("LoomRuntime.blockOn was called from inside a Swift task") == true)
        #expect(warnings.first?.contains("await the work instead") == true)
        #expect(warnings.first?.hasSuffix("[loom.runtime=coop]") == true)  // Structured: the runtime as metadata.
    }

    @Test("install from a task on Swift's cooperative pool works, and warns once, pointing at spawnCompute")
    func installFromCooperativePool() async throws {
        let log = CapturedLog()
        let runtime = try LoomBuilder().prefix("coopi").asyncThreads(1).computeThreads(1).pinThreads(false)
            .logger(log.logger).build()
        defer { runtime.close() }
        let value = await Task.detached { runtime.install { 6 * 7 } }.value
        #expect(value == 42)
        _ = await Task.detached { runtime.install { 1 } }.value
        let warnings = log.messages.filter { $0.contains("LoomRuntime.install was called from inside a Swift task") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("await runtime.spawnCompute") == true)
        // From a thread of the runtime's own (async) pool: no warning (the docs cover it), and from plain threads none.
        #expect(synchronousBlockOn(runtime) { await runtime.spawnAsync { runtime.install { 1 } }.value } == 1)
        #expect(log.messages.filter { $0.contains("install was called") }.count == 1)
    }

    @Test("a parker word recycled twice traps instead of being handed to two threads")
    func parkerRecycledTwice() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let parker = Parker.make()
            parker.recycle()
            parker.recycle()
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message.contains("a parker word was recycled twice"))
    }

    @Test("parking on a word another thread has marked parked traps instead of losing its wake-up")
    func parkerSharedWord() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let parker = Parker.make()
            parker.word.pointee.store(1, ordering: .relaxed)  // As if another thread were parked on it.
            parker.park()
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message.contains("two threads are parked on one parker word"))
    }

    @Test("the same calls from the right threads do not trap")
    func rightThreads() throws {
        let runtime = try LoomRuntime.forTests("ok")
        #expect(runtime.blockOn { 1 } == 1)
        runtime.blockUntilIdle()
        runtime.close()
    }
}

/// `blockOn` called through a synchronous function, as code that is not itself `async` would.
func synchronousBlockOn<T: Sendable>(_ runtime: LoomRuntime, _ body: sending @escaping () async -> T) -> T {
    runtime.blockOn(body)
}

/// `blockUntilIdle` called through a synchronous function.
func synchronousBlockUntilIdle(_ runtime: LoomRuntime) {
    runtime.blockUntilIdle()
}
