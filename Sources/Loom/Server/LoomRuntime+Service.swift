import Logging
import LoomCompute
import LoomConfiguration
import LoomSystem
import ServiceLifecycle

/// A runtime is a swift-service-lifecycle `Service`, so it can be one of a `ServiceGroup`'s services.
///
/// ```swift
/// let runtime = try LoomBuilder().envPrefix("LOOM").build()
/// let app = Application(router: router, eventLoopGroupProvider: .shared(runtime.eventLoopGroup))
/// let group = ServiceGroup(
///     services: [runtime, app],          // Loom first: services stop in reverse order, so it stops last
///     gracefulShutdownSignals: [.sigterm, .sigint],
///     logger: logger
/// )
/// try await group.run()
/// ```
///
/// `run()` returns once the runtime has shut down: on graceful shutdown (or cancellation) it calls ``shutdown()``,
/// waits until no tracked task is in flight (``waitForShutdown()``), then stops both pools and the NIO event loops
/// and joins their threads — on a thread of its own, so that no thread of the runtime, and no thread of Swift's
/// cooperative pool, is ever blocked by it. Nothing is cancelled: work tracked when the shutdown begins runs to
/// the end, and, as after ``shutdown()`` anywhere, new work may still be spawned (and is tracked) until the pools
/// stop. Use ``service(gracefulShutdownTimeout:)`` to stop waiting after a deadline.
///
/// **Order in a `ServiceGroup`.** List the runtime *before* the services that run on it (a web server, a gRPC
/// server): a group shuts its services down in reverse order, so theirs finish, and their last requests with them,
/// before the runtime stops. Clients built on ``eventLoopGroup`` (`HTTPClient`, a Postgres pool) must be shut down
/// before the runtime's `run()` returns: give them a service of their own listed after the runtime, or shut them
/// down in the service that uses them.
extension LoomRuntime: Service {
    /// Runs until the runtime has shut down (see above); returns after its threads have stopped.
    public func run() async throws {
        await self.runAsService(gracefulShutdownTimeout: nil)
    }

    /// The runtime as a service that waits at most `timeout` for tracked work after graceful shutdown begins; then
    /// it logs (through the runtime's logger) how many tasks are still in flight and the state of every thread
    /// (``diagnostics()``), and stops the pools anyway. Tasks still suspended then resume on the global
    /// concurrent executor.
    ///
    /// - Parameter timeout: how long to wait for tracked tasks once shutdown has begun.
    /// - Returns: a `Service` for a `ServiceGroup`, in place of the runtime itself.
    public func service(gracefulShutdownTimeout timeout: Duration) -> some Service {
        LoomRuntimeService(runtime: self, timeout: timeout)
    }

    fileprivate func runAsService(gracefulShutdownTimeout timeout: Duration?) async {
        let shutdownBegan = OneShotSignal()
        await withTaskCancellationOrGracefulShutdownHandler {
            let finished = await self.waitForTrackedWork(after: shutdownBegan, timeout: timeout)
            if !finished, let timeout {
                let report = self.diagnostics()
                let message =
                    "Graceful shutdown: \(report.asyncTasksInFlight) async and \(report.computeTasksInFlight) compute "
                    + "tasks still in flight after \(timeout); stopping the pools anyway.\n\(report)"
                self.logger.warning(
                    "\(message)",
                    metadata: ["loom.runtime": "\(self.configuration.prefix)"]
                )
            }
        } onCancelOrGracefulShutdown: {
            self.shutdown()
            shutdownBegan.fire()
        }
        await self.closeOnThreadOfItsOwn()
    }

    /// `true` when tracked work finished; `false` when `timeout` passed first (counted from the shutdown).
    private func waitForTrackedWork(after shutdownBegan: OneShotSignal, timeout: Duration?) async -> Bool {
        guard let timeout else {
            await self.waitForShutdown()
            return true
        }
        var timer: Task<Void, Never>?
        let finished = await withUnsafeContinuation { (continuation: UnsafeContinuation<Bool, Never>) in
            let first = FirstResume(continuation)
            Task { [self] in
                await self.waitForShutdown()
                first.resume(returning: true)
            }
            timer = Task {
                await shutdownBegan.wait()
                do { try await Task.sleep(for: timeout) } catch { return }  // Cancelled: the work finished first.
                first.resume(returning: false)
            }
        }
        timer?.cancel()
        return finished
    }

    /// ``waitForShutdown()`` for at most `timeout` (from now): `true` when tracked work finished, `false` when
    /// the time passed first. Call ``shutdown()`` first.
    package func waitForShutdown(timeout: Duration) async -> Bool {
        let now = OneShotSignal()
        now.fire()
        return await self.waitForTrackedWork(after: now, timeout: timeout)
    }

    /// ``close()`` joins threads; it runs on a plain thread started for it, and the caller suspends meanwhile, so
    /// it may be called from any thread, one of the runtime's own included.
    package func closeOnThreadOfItsOwn() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            self.runOnThreadOfItsOwn(pool: .async, name: "close", shortName: "close") { [self] in
                self.close()
                continuation.resume()
            }
        }
    }

    /// Runs `body` on a plain, unpinned thread started for it (``ThreadNames/helper(prefix:pool:name:shortName:)``);
    /// where no thread can be started, runs it on the calling thread rather than not at all, and logs why.
    func runOnThreadOfItsOwn(
        pool: LoomThreadInfo.Pool,
        name: String,
        shortName: String,
        _ body: @escaping @Sendable () -> Void
    ) {
        let info = ThreadNames.helper(prefix: self.configuration.prefix, pool: pool, name: name, shortName: shortName)
        do {
            _ = try PinnedThread.start(info, stackSize: 1 << 20, body: body)  // Detached when the reference goes.
        } catch {
            self.logger.warning(
                "Could not start thread \(info.name) (\(error)); running its work on this thread.",
                metadata: ["loom.runtime": "\(self.configuration.prefix)"]
            )
            body()
        }
    }
}

/// ``LoomRuntime/service(gracefulShutdownTimeout:)``.
private struct LoomRuntimeService: Service {
    let runtime: LoomRuntime
    let timeout: Duration

    func run() async throws {
        await self.runtime.runAsService(gracefulShutdownTimeout: self.timeout)
    }
}

/// Resumes a continuation with the first value offered; later offers are dropped.
private final class FirstResume<T: Sendable>: Sendable {
    // LockedValue, not Synchronization.Mutex: ThreadSanitizer cannot see inside the latter (see LockedValue).
    private let continuation: LockedValue<UnsafeContinuation<T, Never>?>

    init(_ continuation: UnsafeContinuation<T, Never>) { self.continuation = LockedValue(continuation) }

    func resume(returning value: T) {
        let taken = self.continuation.withLock { slot -> UnsafeContinuation<T, Never>? in
            defer { slot = nil }
            return slot
        }
        taken?.resume(returning: value)
    }
}

/// Fires once; `wait()` returns once it has fired (at once if it already has).
private final class OneShotSignal: Sendable {
    private let state = LockedValue<(fired: Bool, waiters: [UnsafeContinuation<Void, Never>])>((false, []))

    func fire() {
        let waiters = self.state.withLock { state -> [UnsafeContinuation<Void, Never>] in
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let now = self.state.withLock { state -> Bool in
                if state.fired { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}

extension LoomRuntime {
    /// Runs `body` in the calling task as tracked async work on this runtime: on its async pool (a task executor
    /// preference), with ``current`` set to this runtime even where `body` hops to an actor (as inside
    /// ``blockOn(_:)``). For the test trait in `LoomTesting`, whose body cannot escape into a task of its own.
    package func runTracked(_ body: () async throws -> Void) async throws {
        self.tracker.asyncStarted()
        defer { self.tracker.asyncFinished() }
        try await Self.$blockOnRuntime.withValue(self.handle) {
            try await withTaskExecutorPreference(self.asyncPool) { try await body() }
        }
    }
}
