import LoomSystem

// `broadcast`: run a closure once on every worker of a pool (rayon's `ThreadPool::broadcast`). Each worker gets its
// own job in its inbox (`WorkerThread.inbox`), which no other worker may take, and is woken if it sleeps.
//
// Wake-up argument (Documentation/Internals/SleepProtocol.md, "Inboxes"): the broadcaster pushes the job (a
// sequentially consistent increment of the inbox's count) and then claims that worker's sleeper word with a
// sequentially consistent compare-exchange (`Sleep.wake(member:)`), as a latch setter does. If the claim finds the
// worker awake, the claim — and the push before it — precede the worker's announcement fence in the single total
// order, so the worker's re-check before it parks (which reads its inbox) sees the job; if the claim succeeds, the
// worker wakes. A worker that is running or searching reaches its inbox on its next look for work.

extension ComputePool {
    /// Runs `body` once on every worker thread of the pool, at the same time, and returns the results in thread
    /// order: element *i* is what worker *i* returned.
    ///
    /// For work that must touch each thread: warming or clearing thread-local caches, reading per-thread state, or
    /// setting something up on every thread after the pool started (use the `onThreadStart` hook for what must
    /// happen before any job). Each worker runs its call the next time it looks for work, so a worker busy with a long
    /// job delays the broadcast until that job ends.
    ///
    /// ```swift
    /// let cpus = pool.broadcast { index in sched_getcpu() }   // where each worker runs now
    /// ```
    ///
    /// Called from outside the pool, the calling thread blocks until every call has returned; called from one of
    /// the pool's workers (inside `install`, `join`, a `.parallel` operation or another broadcast), that worker runs
    /// its own call and other work while it waits.
    ///
    /// - Parameter body: receives the worker's index (`0..<threadCount`); runs on that worker.
    /// - Returns: one result per worker, in worker order.
    /// - Throws: when some calls throw, the error of the lowest-numbered worker that threw, after every call has
    ///   returned.
    /// - Complexity: one call per worker; O(`threadCount`) allocations.
    /// - Important: Do not wait inside `body` for work that needs *every* worker (a lock another worker's `body`
    ///   holds while it waits for the broadcast to finish): each worker runs one call at a time.
    public func broadcast<T: Sendable, E: Error>(_ body: @Sendable (Int) throws(E) -> T) throws(E) -> [T] {
        try self.registry.broadcast(body)
    }
}

extension Registry {
    /// ``ComputePool/broadcast(_:)`` on this pool, from any thread.
    package func broadcast<T: Sendable, E: Error>(_ body: @Sendable (Int) throws(E) -> T) throws(E) -> [T] {
        if let worker = WorkerThread.current, worker.registry === self {
            return try worker.broadcast(body).get()
        }
        return try self.install { () throws(E) -> [T] in try WorkerThread.current!.broadcast(body).get() }
    }
}

/// The result slots of one broadcast: slot *i* is written by worker *i* only, and read by the broadcaster after the
/// count latch (whose last decrement is acquire-release) says every worker is done.
private struct BroadcastSlots<T, E: Error>: @unchecked Sendable {
    // Sendable: each slot has one writer (its worker), and the reader waits for the latch that orders every write
    // before its read.
    let slots: UnsafeMutableBufferPointer<Result<T, E>?>
}

/// One worker's share of a broadcast, on the heap. Unlike a `HeapJob`, it lets go of its closure *before* it counts
/// itself done: the closure holds the broadcaster's `withoutActuallyEscaping` view of the user's closure, which must
/// have no other owner once the broadcaster returns (the runtime checks, and traps otherwise).
private struct BroadcastJob {
    let header: JobHeader
    var body: (@Sendable () -> Void)?
    let latch: CountLatch

    static func make(_ body: @escaping @Sendable () -> Void, latch: CountLatch) -> JobRef {
        let block = UnsafeMutablePointer<BroadcastJob>.allocate(capacity: 1)
        block.initialize(to: BroadcastJob(header: JobHeader(kind: BroadcastJobKind.self), body: body, latch: latch))
        return JobRef(UnsafeMutableRawPointer(block).assumingMemoryBound(to: JobHeader.self))
    }
}

private enum BroadcastJobKind: JobExecutable {
    static func execute(_ header: UnsafeMutablePointer<JobHeader>) {
        let block = UnsafeMutableRawPointer(header).assumingMemoryBound(to: BroadcastJob.self)
        var body = block.pointee.body.take()
        let latch = block.pointee.latch
        block.deinitialize(count: 1)
        block.deallocate()
        body!()
        body = nil  // Released here, before the broadcaster can see this job done and return.
        latch.decrement()
    }
}

extension WorkerThread {
    /// Puts one job in every worker's inbox, wakes the sleeping ones, and works until all have run. Must run on this
    /// worker's thread.
    fileprivate func broadcast<T: Sendable, E: Error>(_ body: @Sendable (Int) throws(E) -> T) -> Result<[T], E> {
        let workers = self.registry.workers
        let results = BroadcastSlots<T, E>(slots: .allocate(capacity: workers.count))
        results.slots.initialize(repeating: nil)
        defer {
            _ = results.slots.deinitialize()
            results.slots.deallocate()
        }
        let latch = CountLatch(waiter: .worker(self))
        withoutActuallyEscaping(body) { body in
            for worker in workers {
                let index = worker.index
                latch.increment()
                let job = BroadcastJob.make(
                    { results.slots[index] = Result(catching: { () throws(E) -> T in try body(index) }) },
                    latch: latch
                )
                _ = worker.inbox.push(job)  // An inbox is never closed.
                Chaos.point()
                self.sleep.wake(member: index)  // No-op for this worker and for awake ones.
            }
            latch.decrement()  // The broadcaster's own unit.
            self.waitUntilDone(latch)
        }
        var values: [T] = []
        values.reserveCapacity(workers.count)
        for slot in results.slots {
            switch slot! {
            case .success(let value): values.append(value)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(values)
    }
}
