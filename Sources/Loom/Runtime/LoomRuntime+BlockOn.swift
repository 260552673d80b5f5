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
    /// - Important: Calling `blockOn` from a Loom thread (an async or compute thread of any runtime) traps: the
    ///   thread would wait for work that may need it. From async code, `await` the work instead (for example
    ///   `await runtime.spawnAsync { … }.value`).
    /// - Parameter body: the async work.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws.
    @discardableResult
    public func blockOn<T: Sendable, E: Error>(_ body: sending @escaping () async throws(E) -> T) throws(E) -> T {
        Self.preconditionNotOnLoomThread("blockOn", instead: "From async code, await the work instead.")
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
    // Sendable: `result` is written once before the releasing store of `done` and read after the acquiring load.
    private var result: Result<T, E>?
    private let done = Atomic<Bool>(false)
    private let parker = Parker.current

    func complete(_ result: Result<T, E>) {
        self.result = result
        self.done.store(true, ordering: .releasing)  // Release: publishes `result`; pairs with wait().
        Chaos.point()
        self.parker.unpark()
    }

    func wait() -> Result<T, E> {
        // Do not rename: profiles filter blocked time on this name.
        while !self.done.load(ordering: .acquiring) { self.parker.park() }
        return self.result!
    }
}
