import LoomSystem

extension ComputePool {
    /// Runs `body` with a ``ComputeScope`` whose ``ComputeScope/spawn(_:)`` starts jobs on the pool, and returns
    /// only when `body` and every spawned job (including jobs spawned by spawned jobs) have finished.
    ///
    /// ```swift
    /// pool.scope { s in
    ///     for chunk in chunks { s.spawn { process(chunk) } }
    /// }   // every chunk is processed here
    /// ```
    ///
    /// On a worker of this pool `body` runs inline and the worker helps with the spawned jobs while it waits.
    /// From any other thread the whole scope runs on the pool and the caller blocks.
    ///
    /// `body` is `sending` for the same reason as ``install(_:)``'s; the spawned jobs are `@Sendable`, since several
    /// may run at once.
    ///
    /// - Parameter body: receives the scope; do not let the scope escape it.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws, after every spawned job has finished.
    @inlinable
    public func scope<R, E: Error>(_ body: sending (ComputeScope) throws(E) -> R) throws(E) -> sending R {
        try self.registry.scope(body)
    }

    /// Starts `body` on the pool and returns at once (fire and forget).
    ///
    /// From a worker of this pool the job goes on that worker's deque, otherwise on the pool's shared queue.
    /// The job holds whatever `body` captures until it has run. Work still queued when the pool closes runs
    /// before the threads exit.
    ///
    /// - Parameter body: the work.
    public func spawn(_ body: @escaping @Sendable () -> Void) {
        self.registry.spawn(HeapJob.make(body))
    }
}

/// Runs `body` with a ``ComputeScope`` on the compute pool of the current worker thread; on a runtime's async or I/O
/// thread, on that runtime's compute pool; elsewhere on ``ComputePool/shared``. See ``ComputePool/scope(_:)``.
@inlinable
public func scope<R, E: Error>(_ body: sending (ComputeScope) throws(E) -> R) throws(E) -> sending R {
    try Registry.currentOrShared.scope(body)
}

/// The handle ``ComputePool/scope(_:)`` passes to its body, to spawn jobs that must finish before the scope
/// returns.
public final class ComputeScope: Sendable {
    @usableFromInline
    package let registry: Registry
    @usableFromInline
    package let latch: CountLatch

    @usableFromInline
    package init(registry: Registry, waiter: LatchWaiter) {
        self.registry = registry
        self.latch = CountLatch(waiter: waiter)
    }

    /// Starts `body` on the pool; the scope waits for it before returning.
    ///
    /// `body` may capture the scope and spawn more jobs. It runs on some worker of the pool, possibly the one
    /// that spawned it.
    ///
    /// - Precondition: the scope has not returned yet.
    public func spawn(_ body: @escaping @Sendable () -> Void) {
        precondition(
            !self.latch.probe(),
            "ComputeScope.spawn was called after its scope returned; spawn only inside the scope's body or its jobs."
        )
        self.latch.increment()
        self.registry.spawn(HeapJob.make(body, scope: self.latch))
    }
}

extension Registry {
    @inlinable
    package func scope<R, E: Error>(_ body: (ComputeScope) throws(E) -> R) throws(E) -> R {
        if let worker = WorkerThread.current, worker.registry === self {
            return try worker.scope(body).get()
        }
        return try self.install { () throws(E) -> R in try WorkerThread.current!.scope(body).get() }
    }
}

extension WorkerThread {
    /// `scope` on this worker, which must be the calling thread.
    @inlinable
    package func scope<R, E: Error>(_ body: (ComputeScope) throws(E) -> R) -> Result<R, E> {
        let scope = ComputeScope(registry: self.registry, waiter: .worker(self))
        let result = Result { () throws(E) -> R in try body(scope) }
        scope.latch.decrement()  // The body's own unit.
        self.waitUntilDone(scope.latch)
        return result
    }
}
