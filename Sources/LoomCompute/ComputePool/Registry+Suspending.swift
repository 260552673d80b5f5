import CLoomSystem
import LoomSystem

/// Running a closure on a compute pool from async code, with the calling task suspended meanwhile: the async forms of
/// the parallel operations (`await xs.parallel.map { … }`). The runtime's `spawnCompute` does the same, tracked.
///
/// The calling task itself moves: it prefers the pool's task executor (`withTaskExecutorPreference`) and reschedules,
/// so its next job runs on a worker; the closure runs there, synchronously; then the preference ends and the task
/// reschedules onto the executor it preferred before. Nothing is allocated for the hop: the task is the job.

/// Suspends the task and re-enqueues it at once on the executor it prefers.
@usableFromInline
package func reschedule() async {
    await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in continuation.resume() }
}

extension Registry {
    /// The pool an async caller that is not on a compute worker uses: a runtime's compute pool on that runtime's async
    /// and I/O threads, else the pool of the runtime whose `blockOn` body is running (``runtimeLookup``), else
    /// ``ComputePool/shared``.
    @usableFromInline
    package static var forAsyncCaller: Registry {
        if let worker = WorkerThread.current { return worker.registry }
        if let raw = cloom_default_registry() { return Unmanaged<Registry>.fromOpaque(raw).takeUnretainedValue() }
        if let lookup = Self.runtimeLookup.withLock({ $0 }), let registry = lookup() { return registry }
        return ComputePool.shared.registry
    }

    /// Set by the runtime layer: the compute pool of the runtime current for the calling task, if any (the compute
    /// pool does not know runtimes).
    package static let runtimeLookup = LockedValue<(@Sendable () -> Registry?)?>(nil)

    /// Runs `body` on a worker of this pool while the calling task is suspended, and returns its result.
    @usableFromInline @concurrent
    package func runSuspending<R: Sendable, E: Error>(_ body: () throws(E) -> R) async throws(E) -> R {
        let result = await withTaskExecutorPreference(self.executor) { () async -> Result<R, E> in
            await reschedule()  // Now on a worker of this pool.
            return Result(catching: body)
        }
        await reschedule()  // Back on the executor the task preferred before.
        return try result.get()
    }
}
