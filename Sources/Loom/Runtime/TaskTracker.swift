import LoomCompute
import LoomConfiguration
import LoomSystem
import Synchronization

/// Counts the runtime's tracked work (`spawnAsync` tasks, `spawnCompute` and `scopeCompute` calls) and wakes
/// whoever waits for "shut down and idle" (loom-rs's `TaskTracker` + compute counter, without its lost wake-up).
///
/// ## Memory ordering
/// "Idle" needs the shutdown flag set and both counts at zero. The two ways to reach it race: the last `finished`
/// (decrement, then read the flag) and `shutdown()` (set the flag, then read the counts). Both sides use
/// sequentially consistent operations, so in the single total order at least one of them sees the other's write
/// and runs ``wakeWaitersIfIdle()``. Waiters register under `waiters`' lock after re-checking the condition
/// there, so a waiter either sees "idle" itself or is in the list when the waker drains it.
final class TaskTracker: Sendable {
    private let asyncCount = Atomic<Int>(0)
    private let computeCount = Atomic<Int>(0)
    private let shutdownFlag = Atomic<Bool>(false)
    private let waiters = LockedValue<[Waiter]>([])

    enum Waiter: Sendable {
        case task(UnsafeContinuation<Void, Never>)
        case thread(BlockingWait)
    }

    var asyncInFlight: Int { self.asyncCount.load(ordering: .relaxed) }  // Relaxed: a snapshot for callers.
    var computeInFlight: Int { self.computeCount.load(ordering: .relaxed) }  // Relaxed: a snapshot for callers.
    var isShutdown: Bool { self.shutdownFlag.load(ordering: .acquiring) }

    /// `true` when no tracked work is in flight (whether or not shutdown was called).
    var isIdle: Bool {
        self.asyncCount.load(ordering: .sequentiallyConsistent) == 0
            && self.computeCount.load(ordering: .sequentiallyConsistent) == 0
    }

    func asyncStarted() { self.asyncCount.add(1, ordering: .relaxed) }  // Relaxed: the caller holds the work.
    func computeStarted() { self.computeCount.add(1, ordering: .relaxed) }  // Relaxed: as above.

    func asyncFinished() {
        if self.asyncCount.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 { self.wakeWaitersIfIdle() }
    }

    func computeFinished() {
        if self.computeCount.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 {
            self.wakeWaitersIfIdle()
        }
    }

    /// Marks the runtime as shutting down. Idempotent.
    func shutdown() {
        self.shutdownFlag.store(true, ordering: .sequentiallyConsistent)
        self.wakeWaitersIfIdle()
    }

    private var isShutdownAndIdle: Bool {
        self.shutdownFlag.load(ordering: .sequentiallyConsistent) && self.isIdle
    }

    private func wakeWaitersIfIdle() {
        // Cheap exit before shutdown: work finishing in a running runtime never takes the lock.
        guard self.isShutdownAndIdle else { return }
        let ready = self.waiters.withLock { waiters -> [Waiter] in
            guard self.isShutdownAndIdle else { return [] }
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in ready {
            switch waiter {
            case .task(let continuation): continuation.resume()
            case .thread(let thread): thread.wake()
            }
        }
    }

    /// Suspends until shutdown was called and nothing is in flight.
    func waitForShutdown() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let now = self.waiters.withLock { waiters -> Bool in
                if self.isShutdownAndIdle { return true }
                waiters.append(.task(continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Blocks the calling thread until shutdown was called and nothing is in flight.
    func blockUntilShutdownAndIdle() {
        let waiter = BlockingWait()
        let now = self.waiters.withLock { waiters -> Bool in
            if self.isShutdownAndIdle { return true }
            waiters.append(.thread(waiter))
            return false
        }
        if !now { waiter.wait() }
    }
}
