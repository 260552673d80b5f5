import CLoomSystem
import LoomSystem

extension ComputePool {
    /// Runs `a` and `b`, potentially in parallel, and returns both results.
    ///
    /// On a worker of this pool, `b` is pushed on the worker's deque (the job lives on the worker's stack) and `a`
    /// runs at once; if no other worker stole `b` meanwhile, `b` runs right after, on the same thread. If `b` was
    /// stolen, the worker runs other jobs until `b` is done. Called from any other thread, the whole `join` runs on
    /// the pool and the caller blocks.
    ///
    /// **Cost, and a cut-off.** A `join` whose `b` is not stolen costs about 700 instructions and one 32-byte heap
    /// allocation (Swift boxes a closure that another thread may call; `Documentation/Internals/ComputePool.md`
    /// shows why it cannot be avoided); a stolen `b` costs a steal and often a wake-up, microseconds. So give each
    /// half at least tens of microseconds of work: recurse with `join` down to a cut-off and run below it
    /// sequentially, or use a `.parallel` operation, which sizes its pieces itself.
    ///
    /// ```swift
    /// func fib(_ n: Int) -> Int {
    ///     if n <= 20 { return fibSequential(n) }  // ~22 000 calls: too little work to be worth a join.
    ///     let (a, b) = join({ fib(n - 1) }, { fib(n - 2) })
    ///     return a + b
    /// }
    /// ```
    ///
    /// Both closures are `@Sendable`: they may run at the same time, on two threads, so neither may capture mutable
    /// state or the caller's actor state.
    ///
    /// - Parameters:
    ///   - a: the first closure, run on the calling worker.
    ///   - b: the second closure, run by whichever worker gets to it.
    /// - Returns: `(a(), b())`.
    /// - Throws: the first error of `a` or `b` (`a`'s if both throw), after `b` has finished if it was started.
    ///   If `a` throws before `b` started, `b` does not run.
    @inlinable
    public func join<A: Sendable, B: Sendable, E: Error>(
        _ a: @Sendable () throws(E) -> A,
        _ b: @Sendable () throws(E) -> B
    ) throws(E) -> (A, B) {
        try self.registry.join(a, b)
    }
}

/// Runs `a` and `b`, potentially in parallel, on the compute pool of the current worker thread; on a runtime's async
/// or I/O thread, on that runtime's compute pool; elsewhere on ``ComputePool/shared``. See ``ComputePool/join(_:_:)``.
@inlinable
public func join<A: Sendable, B: Sendable, E: Error>(
    _ a: @Sendable () throws(E) -> A,
    _ b: @Sendable () throws(E) -> B
) throws(E) -> (A, B) {
    let result = WorkerThread.withCurrent { worker in
        worker.map { $0.join(a, b) }
    }
    if let result { return try result.get() }
    return try Registry.currentOrShared.joinCold(a, b)
}

extension Registry {
    @inlinable
    package func join<A, B, E: Error>(_ a: () throws(E) -> A, _ b: () throws(E) -> B) throws(E) -> (A, B) {
        let result = WorkerThread.withCurrent { worker -> Result<(A, B), E>? in
            guard let worker, worker.registry === self else { return nil }
            return worker.join(a, b)
        }
        if let result { return try result.get() }
        return try self.joinCold(a, b)
    }

    @usableFromInline
    package func joinCold<A, B, E: Error>(_ a: () throws(E) -> A, _ b: () throws(E) -> B) throws(E) -> (A, B) {
        try self.install { () throws(E) -> (A, B) in try WorkerThread.current!.join(a, b).get() }
    }

    /// `join(a, b)` where `b` is told whether it was stolen, i.e. runs on another thread than the caller
    /// (rayon's `join_context`). Must be called on a worker of this registry.
    @inlinable
    func joinContext<A, B>(_ a: () -> A, _ b: (_ stolen: Bool) -> B) -> (A, B) {
        let origin = cloom_current_worker()
        return self.join(a, { b(cloom_current_worker() != origin) })
    }
}

extension WorkerThread {
    /// `join` on this worker, which must be the calling thread.
    @inlinable
    package func join<A, B, E: Error>(_ a: () throws(E) -> A, _ b: () throws(E) -> B) -> Result<(A, B), E> {
        var resultB: Result<B, E>? = nil
        return withStackJob(running: { resultB = Result(catching: b) }, waiter: .worker(self)) { job in
            let ref = StackJob.ref(job)
            self.push(ref)
            let resultA = Result(catching: a)
            while let popped = self.pop() {
                if popped == ref {
                    // Not stolen: take b back. After a failure in a, b is dropped without running.
                    guard case .success(let valueA) = resultA else { return .failure(resultA.failure!) }
                    return Result(catching: b).map { (valueA, $0) }
                }
                // A job `a` left behind (a fire-and-forget spawn): it is ours to run.
                self.execute(popped)
            }
            // b was stolen: keep working until its thief sets the latch.
            self.waitUntilDone(job)
            return Self.combine(resultA, resultB!)
        }
    }

    @inlinable
    package static func combine<A, B, E: Error>(_ a: Result<A, E>, _ b: Result<B, E>) -> Result<(A, B), E> {
        switch (a, b) {
        case (.success(let valueA), .success(let valueB)): .success((valueA, valueB))
        case (.failure(let error), _), (_, .failure(let error)): .failure(error)
        }
    }
}
