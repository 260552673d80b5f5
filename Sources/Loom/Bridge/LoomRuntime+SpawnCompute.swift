import CLoomSystem
import LoomCompute
import LoomConfiguration
// The bridge from async code to the compute pool.
//
// A call does not hand a closure to another thread: it moves the *calling task* onto the compute pool (the pool is
// also a `TaskExecutor`, see `ComputeTaskExecutor`), calls the closure there synchronously, and moves the task back.
// The task object itself is the unit queued both ways, so a call allocates nothing, the closure need not escape or
// be `@Sendable`, and errors come back with their own type. Each move is a continuation that is resumed at once: the
// task suspends and is re-enqueued on the executor it now prefers.
//
// Why the types are what they are (Documentation: "Using Loom from actors and the main actor"): the closure is
// `sending`, so it is nonisolated wherever it is written (a plain closure parameter would take the caller's actor
// isolation and then run off that actor) and may capture what the caller does not use again; the result is `sending`,
// so a non-Sendable value can come back to an actor; the functions are `@concurrent`, so that under
// NonisolatedNonsendingByDefault they can never be made to run their body on the caller's actor.
import LoomSystem

extension LoomRuntime {
    /// Runs `body` on the compute pool and returns its result; the calling task suspends meanwhile, so the async
    /// thread is free for other tasks.
    ///
    /// ```swift
    /// let sum = await runtime.spawnCompute { (0..<1_000_000).reduce(0, +) }
    /// ```
    ///
    /// The closure does not escape; it runs on one compute thread, start to end. The call is tracked:
    /// ``computeTasksInFlight`` counts it until `body` has returned (before the caller resumes). After warm-up a call
    /// performs no heap allocation: the task itself travels to the compute pool and back, so inside `body` the
    /// calling task's `Task.isCancelled`, `Task.checkCancellation()`, priority and task-locals are visible — long work
    /// can poll for cancellation.
    ///
    /// **Isolation.** `body` is `sending`: it is nonisolated wherever it is written, so this compiles and runs from
    /// the main actor, an actor or nonisolated code; it may capture Sendable values and non-Sendable values the caller
    /// does not use again, but not the caller's actor state (copy it into a local first). The result is `sending`, so
    /// it may be a non-Sendable value that the caller then owns. The method is `@concurrent`: `body` never runs on
    /// the caller's actor.
    ///
    /// - Parameter body: synchronous, CPU-bound work.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws, with its own type.
    @inlinable
    @concurrent
    public func spawnCompute<R, E: Error>(_ body: sending () throws(E) -> R) async throws(E) -> sending R {
        try await self.roundTrip(isComputeMapItem: false, body)
    }

    /// One `computeMap` item with one element in flight: a ``spawnCompute(_:)`` round trip, timed as an item.
    @inlinable
    @concurrent
    func computeMapItem<R, E: Error>(_ body: sending () throws(E) -> R) async throws(E) -> sending R {
        try await self.roundTrip(isComputeMapItem: true, body)
    }

    /// The bridge: moves the task to the compute pool, runs `body`, moves it back; tracked, counted, and — one call
    /// in 8 per calling thread, when the runtime measures time — timed into its histogram.
    ///
    /// Inlinable, so that it is compiled for the caller's `R` and `E`: unspecialized, each call looked up the
    /// metadata of `Result<R, E>` at run time (about 3 000 instructions per round trip, `Benchmarks/callgrind.sh`).
    /// The rest of the work is in the non-generic helpers below.
    @inlinable
    @concurrent
    func roundTrip<R, E: Error>(
        isComputeMapItem: Bool,
        _ body: sending () throws(E) -> R
    ) async throws(E) -> sending R {
        let start = self.bridgeCallStarted()
        let result = await withTaskExecutorPreference(self.bridgeExecutor) { () async -> Result<R, E> in
            await reschedule()  // Now on a compute thread.
            let result = Result(catching: body)
            self.bridgeBodyFinished()
            return result
        }
        await reschedule()  // Back on the executor the task prefers (the async pool, for Loom tasks).
        self.bridgeCallEnded(isComputeMapItem: isComputeMapItem, since: start)
        return try result.get()
    }

    /// A bridge call starts: tracked, and timed one call in 8 per thread when the runtime measures time (the start
    /// time, or 0 when this call is not timed).
    @usableFromInline
    func bridgeCallStarted() -> UInt64 {
        let start = self.asyncPool.measuresTime && cloom_sample_tick() != 0 ? cloom_monotonic_ns() : 0
        self.tracker.computeStarted()
        return start
    }

    /// The compute pool as the executor a bridged task prefers.
    @usableFromInline
    var bridgeExecutor: any TaskExecutor { self.computePool.taskExecutor }

    /// A bridged closure returned (on the compute thread, before the task moves back).
    @usableFromInline
    func bridgeBodyFinished() { self.tracker.computeFinished() }

    /// A bridge call ended (back on the caller's executor): counted, and its latency recorded if it was timed.
    @usableFromInline
    func bridgeCallEnded(isComputeMapItem: Bool, since start: UInt64) {
        self.asyncPool.recordBridgeCall(isComputeMapItem ? .computeMapItem : .spawnCompute, since: start)
    }

    /// Like ``spawnCompute(_:)``, but hands `body` a ``ComputeScope`` whose spawned jobs may use the caller's state;
    /// returns when `body` and every spawned job have finished. Tracked.
    ///
    /// ```swift
    /// let total = await runtime.scopeCompute { scope in
    ///     for chunk in chunks { scope.spawn { process(chunk) } }
    ///     return chunks.count
    /// }
    /// ```
    ///
    /// - Parameter body: receives the scope; runs on a compute thread.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws, after the spawned jobs have finished.
    @inlinable
    @concurrent
    public func scopeCompute<R, E: Error>(
        _ body: sending (ComputeScope) throws(E) -> R
    ) async throws(E) -> sending R {
        let registry = self.computePool.registry
        return try await self.spawnCompute { () throws(E) -> R in try registry.scope(body) }
    }
}

/// Runs `body` on the compute pool of ``LoomRuntime/current``. See ``LoomRuntime/spawnCompute(_:)``.
///
/// - Important: Traps outside a runtime (no current runtime); ``trySpawnCompute(_:)`` returns `nil` there instead.
@inlinable
@concurrent
public func spawnCompute<R, E: Error>(_ body: sending () throws(E) -> R) async throws(E) -> sending R {
    guard let runtime = LoomRuntime.current else {
        preconditionFailure(
            "spawnCompute was called outside a Loom runtime; call it inside runtime.blockOn or a task from "
                + "runtime.spawnAsync, call runtime.spawnCompute directly, or use trySpawnCompute."
        )
    }
    return try await runtime.spawnCompute(body)
}

/// Runs `body` on the compute pool of ``LoomRuntime/current``, or returns `nil` without running it when there is
/// no current runtime.
@concurrent
public func trySpawnCompute<R, E: Error>(_ body: sending () throws(E) -> R) async throws(E) -> sending R? {
    guard let runtime = LoomRuntime.current else { return nil }
    return try await runtime.spawnCompute(body)
}

/// Runs `body` with a ``ComputeScope`` on the compute pool of ``LoomRuntime/current``. See
/// ``LoomRuntime/scopeCompute(_:)``.
///
/// - Important: Traps outside a runtime.
@inlinable
@concurrent
public func scopeCompute<R, E: Error>(_ body: sending (ComputeScope) throws(E) -> R) async throws(E) -> sending R {
    guard let runtime = LoomRuntime.current else {
        preconditionFailure(
            "scopeCompute was called outside a Loom runtime; call it inside runtime.blockOn or a task from "
                + "runtime.spawnAsync, or call runtime.scopeCompute directly."
        )
    }
    return try await runtime.scopeCompute(body)
}
