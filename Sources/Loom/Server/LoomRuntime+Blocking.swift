import CLoomSystem
import Foundation
import LoomCompute
import LoomConfiguration
import LoomSystem
import NIOPosix

extension LoomRuntime {
    /// Runs `body` on the runtime's blocking pool and returns its result; the calling task suspends meanwhile.
    ///
    /// For calls that *wait* — blocking file I/O, a C library that blocks, `sleep` — which would otherwise hold an
    /// async thread (stalling every task behind it) or a compute thread (idling a CPU that other work could use).
    /// CPU-bound work belongs on the compute pool (``spawnCompute(_:)``).
    ///
    /// ```swift
    /// let text = try await runtime.spawnBlocking { try String(contentsOfFile: path, encoding: .utf8) }
    /// ```
    ///
    /// The pool has ``LoomConfiguration/blockingThreads`` threads (key `blocking_threads`, default 4), started on
    /// first use, named `{prefix}-blocking-NNNN` and allowed on the async pool's CPUs; calls beyond that many wait
    /// in its queue. The call is tracked: ``computeTasksInFlight`` counts it until `body` has returned, so
    /// ``waitForShutdown()`` waits for it. `body` runs on a plain thread, outside any task: `Task.isCancelled` is
    /// `false` there.
    ///
    /// **Isolation.** `body` is `@Sendable` and escapes to another thread, as tokio's `spawn_blocking` requires of
    /// its closure; write it as a closure literal and it is nonisolated wherever it is written.
    ///
    /// If the pool has been shut down underneath the runtime — Vapor shuts down the `app.threadPool` it is given
    /// (``blockingPool``) with the application — each call runs on a plain thread started for it instead, and the
    /// first such call is logged (notice level). No call is lost.
    ///
    /// - Important: Calling it after ``close()`` is a programming error (it traps), as for ``spawnCompute(_:)``.
    /// - Parameter body: the blocking call.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws, with its own type.
    public func spawnBlocking<T: Sendable, E: Error>(
        _ body: @escaping @Sendable () throws(E) -> T
    ) async throws(E) -> T {
        precondition(
            !self.closed.withLock { $0 },
            "spawnBlocking was called on a closed runtime; call it before close() (or shutdown() and "
                + "waitForShutdown(), which keep the runtime usable)."
        )
        let pool = self.blockingPool
        self.tracker.computeStarted()
        let tracker = self.tracker
        let result = await withUnsafeContinuation { (continuation: UnsafeContinuation<Result<T, E>, Never>) in
            let call: @Sendable () -> Void = {
                let result = Result(catching: body)
                tracker.computeFinished()
                continuation.resume(returning: result)
            }
            pool.submit { [self] state in
                guard case .active = state else {
                    // The pool was shut down before the call ran: by close() while it was queued, or by a library
                    // it was handed (Vapor shuts down `app.threadPool` with the application). No call is lost.
                    self.runBlockingCallOnThreadOfItsOwn(call)
                    return
                }
                call()
            }
        }
        return try result.get()
    }

    /// The runtime's blocking pool as a SwiftNIO `NIOThreadPool`, for libraries that take one: Hummingbird's
    /// `FileIO` and `FileMiddleware` (`threadPool:`), Vapor's `app.threadPool`, `NonBlockingFileIO(threadPool:)`.
    ///
    /// Started on first use (by this property or ``spawnBlocking(_:)``) with ``LoomConfiguration/blockingThreads``
    /// threads named `{prefix}-blocking-NNNN` (see the kernel-name rule in the README) and allowed on the async pool's
    /// CPUs; they appear in ``threads`` from then on. Work submitted here directly is not tracked. Closing the
    /// runtime shuts the pool down (queued work still runs); do not shut it down yourself.
    public var blockingPool: NIOThreadPool {
        self.blocking.withLock { existing -> NIOThreadPool in
            if let existing { return existing.pool }
            precondition(
                !self.closed.withLock { $0 },
                "the blocking pool was first used after close(); use it (or spawnBlocking) before closing the runtime"
            )
            let started = self.startBlockingPool()
            existing = started
            return started.pool
        }
    }

    /// A blocking call whose pool has been shut down runs on a plain thread started for it (named like the pool's,
    /// unpinned); the first such call is logged.
    private func runBlockingCallOnThreadOfItsOwn(_ call: @escaping @Sendable () -> Void) {
        let first = self.blockingPoolGoneReported.withLock { reported in
            defer { reported = true }
            return !reported
        }
        if first {
            let message =
                "The blocking pool has been shut down (by close(), or by a library that was handed "
                + "runtime.blockingPool, such as Vapor with the application); blocking calls now run on a thread "
                + "started for each."
            self.logger.notice(
                "\(message)",
                metadata: ["loom.runtime": "\(self.configuration.prefix)"]
            )
        }
        self.runOnThreadOfItsOwn(pool: .blocking, name: "blocking-extra", shortName: "blkx", call)
    }

    /// Starts the pool, then names and places each of its threads from inside: every thread takes one set-up item,
    /// which waits until all have started, so no thread takes two.
    private func startBlockingPool() -> (pool: NIOThreadPool, threads: [LoomThreadInfo]) {
        let count = self.configuration.blockingThreads
        let prefix = self.configuration.prefix
        let asyncCPUs = self.configuration.pinThreads ? self.configuration.asyncCPUs : CPUSet()
        let infos = ThreadNames.threads(
            prefix: prefix,
            pool: .blocking,
            cpus: Array(repeating: asyncCPUs, count: count)
        )
        // NIO creates the threads on this thread: if it is a borrower, they inherit its idle priority.
        let inherited = PinnedThread.priorityBeforeLowering
        let pool = NIOThreadPool(numberOfThreads: count)
        pool.start()
        let barrier = SetUpBarrier(parties: count)
        let logger = self.logger
        for _ in 0..<count {
            pool.submit { _ in
                let info = infos[barrier.arrive()]
                _ = info.kernelName.withCString { cloom_set_name_self($0) }
                PinnedThread.restoreInheritedPriority(inherited, thread: info.kernelName) {
                    logger.warning("\($0)", metadata: LoomRuntime.metadata(prefix, info))
                }
                if !info.cpus.isEmpty, info.cpus.pinCurrentThread() != 0 {
                    logger.warning(
                        "Could not pin blocking thread \(info.name) to CPUs \(info.cpus); it runs unpinned.",
                        metadata: LoomRuntime.metadata(prefix, info)
                    )
                }
                barrier.readyAndWaitForAll()
            }
        }
        barrier.waitUntilAllReady()
        return (pool, infos)
    }
}

/// Hands each of the pool's threads an index, and holds each, once set up, until all are: so no thread takes a
/// second set-up item, and the starter returns only when every thread is named and placed.
private final class SetUpBarrier: @unchecked Sendable {
    // Sendable: every field is guarded by `condition`.
    private let condition = NSCondition()
    private let parties: Int
    private var arrived = 0
    private var ready = 0

    init(parties: Int) { self.parties = parties }

    /// The calling thread's index (0, 1, ...).
    func arrive() -> Int {
        self.condition.lock()
        defer { self.condition.unlock() }
        self.arrived += 1
        return self.arrived - 1
    }

    /// Marks the calling thread set up, then blocks until every thread is.
    func readyAndWaitForAll() {
        self.condition.lock()
        self.ready += 1
        if self.ready == self.parties { self.condition.broadcast() }
        while self.ready < self.parties { self.condition.wait() }
        self.condition.unlock()
    }

    /// The starter's wait: until every thread is set up.
    func waitUntilAllReady() {
        self.condition.lock()
        while self.ready < self.parties { self.condition.wait() }
        self.condition.unlock()
    }
}
