import LoomCompute
import LoomConfiguration
import LoomSystem
import Synchronization

extension LoomRuntime {
    /// Runs `body` on the async pool and blocks the calling thread until it returns.
    ///
    /// Use it once, at the top of a synchronous program (or a test), to enter the runtime:
    ///
    /// ```swift
    /// let value = try runtime.blockOn {
    ///     await runtime.spawnCompute { (0..<1_000_000).reduce(0, +) }
    /// }
    /// ```
    ///
    /// Inside `body`, ``LoomRuntime/current`` is this runtime. `blockOn` itself is not tracked.
    ///
    /// Called on the main thread (top-level code, a synchronous `main()`), `blockOn` keeps the main queue running
    /// while it waits, so a body that awaits the main actor (`await MainActor.run { … }`) completes instead of
    /// deadlocking; other work queued on the main actor may run during the wait too.
    ///
    /// - Important: `blockOn` is for synchronous code: from async code it does not compile (`noasync`). Reached
    ///   anyway through a synchronous function, it traps on a Loom thread (an async or compute thread of any
    ///   runtime) and in the main actor's async code, where the blocked thread may be one the body needs, and logs
    ///   a warning on other threads inside a task (usually Swift's cooperative pool, which it starves for the
    ///   duration). From async code, `await` the work instead (for example `await runtime.spawnAsync { … }.value`).
    /// - Parameter body: the async work.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws.
    @available(*, noasync, message: "blockOn blocks the calling thread; from async code, await the work instead")
    @discardableResult
    public func blockOn<T: Sendable, E: Error>(_ body: sending @escaping () async throws(E) -> T) throws(E) -> T {
        BlockingWait.checkCaller(
            "blockOn",
            instead: "await the work instead, for example `await runtime.spawnAsync { ... }.value`.",
            runtime: self
        )
        let state = BlockOnState<T, E>()
        let handle = self.handle
        Task(executorPreference: self.asyncPool) {
            let result = await Self.$blockOnRuntime.withValue(handle) { () async -> Result<T, E> in
                do throws(E) { return .success(try await body()) } catch { return .failure(error) }
            }
            state.complete(result)
        }
        return try state.wait().get()
    }
}

/// The hand-off from `blockOn`'s task to the blocked thread.
private final class BlockOnState<T: Sendable, E: Error>: @unchecked Sendable {
    // Sendable: `result` is written once before `waiter.wake()` (a release) and read after `waiter.wait()`.
    private var result: Result<T, E>?
    private let waiter = BlockingWait()

    func complete(_ result: Result<T, E>) {
        self.result = result
        self.waiter.wake()
    }

    func wait() -> Result<T, E> {
        self.waiter.wait()
        return self.result!
    }
}
