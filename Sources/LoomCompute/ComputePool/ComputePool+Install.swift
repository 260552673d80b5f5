import LoomSystem

extension ComputePool {
    /// Runs `body` on the pool and blocks the calling thread until it returns.
    ///
    /// On a worker of this pool `body` simply runs, inline. From a worker of *another* compute pool, the calling
    /// worker keeps running its own pool's jobs while it waits, so pools may call into each other without
    /// deadlocking. From any other thread the caller spins briefly, then parks until `body` is done.
    ///
    /// Use it to enter the pool for a batch of parallel work:
    ///
    /// ```swift
    /// let total = pool.install { (0..<1_000_000).parallel.map { $0 &* 3 }.reduce(0, &+) }
    /// ```
    ///
    /// - Important: `install` blocks the calling thread. From async code prefer ``LoomRuntime/spawnCompute(_:)``,
    ///   which suspends instead of blocking.
    /// **Isolation.** `body` runs on another thread, so its type says so: it is `sending`, nonisolated wherever it is
    /// written (a plain closure written on the main actor would keep the main actor's isolation, and the closures it
    /// hands to `map` or `filter` would trap on the pool thread). It may capture Sendable values, and non-Sendable
    /// values the caller does not use again; the result is `sending`. It runs outside any task.
    ///
    /// - Parameter body: the work; the caller waits while it runs.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws.
    @inlinable
    public func install<R, E: Error>(_ body: sending () throws(E) -> R) throws(E) -> sending R {
        try self.registry.install(body)
    }
}

extension Registry {
    @inlinable
    package func install<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        if let worker = WorkerThread.current {
            if worker.registry === self { return try body() }
            return try self.installCross(from: worker, body).get()
        }
        return try self.installBlocking(body).get()
    }

    /// From a thread outside every pool: inject a stack job and block on its latch.
    @usableFromInline
    package func installBlocking<R, E: Error>(_ body: () throws(E) -> R) -> Result<R, E> {
        var result: Result<R, E>? = nil
        withStackJob(running: { result = Result(catching: body) }, waiter: .thread(Parker.current)) { job in
            self.inject(StackJob.ref(job))
            job.pointee.latch.waitBlocking()
        }
        return result!
    }

    /// From a worker of another pool: inject a stack job here and keep the calling worker busy with its own pool's
    /// jobs until the latch is set (rayon's `in_worker_cross`).
    @usableFromInline
    package func installCross<R, E: Error>(from worker: WorkerThread, _ body: () throws(E) -> R) -> Result<R, E> {
        var result: Result<R, E>? = nil
        withStackJob(running: { result = Result(catching: body) }, waiter: .crossPoolWorker(worker)) { job in
            self.inject(StackJob.ref(job))
            worker.waitUntilDone(job)
        }
        return result!
    }
}

extension Registry {
    /// Runs `body` on a worker of this pool (inline when the caller is one), handing it the registry.
    @inlinable
    func withWorker<R>(_ body: (Registry) -> R) -> R {
        self.install { body(self) }
    }
}
