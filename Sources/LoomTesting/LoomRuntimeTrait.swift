import Loom
import Testing

/// A Swift Testing trait that runs each test inside a fresh ``Loom/LoomRuntime``, the counterpart of loom-rs's
/// `#[loom_rs::test]`.
///
/// ```swift
/// import LoomTesting
/// import Testing
///
/// @Test(.loomRuntime(asyncThreads: 1, computeThreads: 2))
/// func sums() async {
///     let runtime = LoomRuntime.current!           // set inside: the test body runs on the async pool
///     let sum = await spawnCompute { (0..<1_000).reduce(0, +) }
///     #expect(sum == 499_500)
/// }
/// ```
///
/// For each test (each case of a parameterised test) the trait builds a runtime whose threads are named
/// `test-…` and not pinned (tests run in parallel, so pinning would stack them on the same CPUs), runs the body as
/// tracked work on its async pool — so ``Loom/LoomRuntime/current`` is that runtime, and free `spawnCompute`,
/// `.parallel` and `computeMap` use it — then shuts it down. Tracked work the body left running is waited for; if
/// it is still in flight after `leakTimeout` (10 seconds by default) the test gets an issue listing what is still
/// running, and the runtime is closed anyway. Errors thrown by the body fail the test as usual.
///
/// On a suite it applies to every test in it, each with a runtime of its own.
public struct LoomRuntimeTrait: TestTrait, SuiteTrait, TestScoping {
    /// The runtime's async threads.
    public let asyncThreads: Int
    /// The runtime's compute threads.
    public let computeThreads: Int
    /// How long tracked work the body leaves behind may take to finish before it is reported.
    public let leakTimeout: Duration

    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        // A suite's own scope (no test case) needs no runtime: each of its tests gets one.
        guard testCase != nil || !test.isSuite else {
            try await function()
            return
        }
        let runtime = try LoomBuilder().prefix("test").asyncThreads(self.asyncThreads)
            .computeThreads(self.computeThreads).pinThreads(false).build()
        let outcome: Result<Void, any Error>
        do {
            try await runtime.runTracked(function)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        runtime.shutdown()
        if !(await runtime.waitForShutdown(timeout: self.leakTimeout)) {
            Issue.record(
                """
                Tracked work was still in flight \(self.leakTimeout) after the test body returned \
                (\(runtime.asyncTasksInFlight) async, \(runtime.computeTasksInFlight) compute tasks); \
                await what the test spawns. State of the runtime:
                \(runtime.diagnostics())
                """
            )
        }
        await runtime.closeOnThreadOfItsOwn()
        try outcome.get()
    }
}

extension Trait where Self == LoomRuntimeTrait {
    /// Runs the test inside a fresh runtime with these thread counts (see ``LoomRuntimeTrait``).
    ///
    /// - Parameters:
    ///   - asyncThreads: the runtime's async threads (default 1).
    ///   - computeThreads: the runtime's compute threads (default 2).
    ///   - leakTimeout: how long work the body leaves running may take before the test gets an issue.
    public static func loomRuntime(
        asyncThreads: Int = 1,
        computeThreads: Int = 2,
        leakTimeout: Duration = .seconds(10)
    ) -> Self {
        LoomRuntimeTrait(asyncThreads: asyncThreads, computeThreads: computeThreads, leakTimeout: leakTimeout)
    }
}
