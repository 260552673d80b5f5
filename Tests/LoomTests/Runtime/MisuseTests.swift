import Testing

@testable import Loom

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
            runtime.blockOn { await runtime.spawnCompute { runtime.close() } }
        }
    }

    @Test("free spawnCompute outside a runtime traps")
    func spawnComputeOutsideRuntime() async {
        await #expect(processExitsWith: .failure) {
            _ = await spawnCompute { 1 }
        }
    }

    @Test("the same calls from the right threads do not trap")
    func rightThreads() throws {
        let runtime = try LoomRuntime.forTests("ok")
        #expect(runtime.blockOn { 1 } == 1)
        runtime.blockUntilIdle()
        runtime.close()
    }
}
