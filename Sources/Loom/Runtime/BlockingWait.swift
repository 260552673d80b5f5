import Foundation
import LoomCompute
import LoomConfiguration
import LoomSystem
import Synchronization

/// How a thread outside the runtime waits for it (`blockOn`, `blockUntilIdle`): one flag and one way to wake the
/// waiter, chosen by where it waits.
///
/// - On the **main thread outside any task** (top-level code, a synchronous `main()`), it runs the main run loop
///   while it waits, so the main queue — the main actor's executor — keeps being drained: a body that awaits the
///   main actor completes instead of deadlocking. The waker posts an empty block to the main queue to return the
///   run loop.
/// - Anywhere else it parks on the thread's ``Parker``.
///
/// ``checkCaller(_:instead:)`` refuses the callers that cannot wait safely.
final class BlockingWait: Sendable {
    private let done = Atomic<Bool>(false)
    private let parker: Parker?

    /// A waiter for the calling thread.
    init() {
        self.parker = Self.drainsMainQueue ? nil : Parker.current
    }

    /// Whether the calling thread should wait by running the main run loop: the main thread outside any task, which is
    /// where top-level code and a synchronous `main()` run (inside a task it would run other main-actor jobs in the
    /// middle of this one, which ``checkCaller(_:instead:logger:)`` refuses).
    private static var drainsMainQueue: Bool { Thread.isMainThread && withUnsafeCurrentTask { $0 == nil } }

    /// Whether the caller runs on the main queue, the main actor's executor. (On Linux the main actor's jobs run on a
    /// dispatch thread, not the main thread, once an async `main` has given the main thread to `dispatch_main`.)
    private static var isOnMainQueue: Bool {
        _ = Self.markedMainQueue
        return DispatchQueue.getSpecific(key: Self.mainQueueKey) != nil
    }

    private static let mainQueueKey = DispatchSpecificKey<Bool>()
    private static let markedMainQueue: Void = DispatchQueue.main.setSpecific(key: mainQueueKey, value: true)

    /// Marks the wait as over and wakes the waiter. Whatever the waker wrote before is visible to the waiter.
    func wake() {
        self.done.store(true, ordering: .releasing)  // Release: publishes the waker's writes; pairs with wait().
        Chaos.point()
        if let parker = self.parker {
            parker.unpark()
        } else {
            DispatchQueue.main.async {}  // Returns the main run loop from `run(mode:before:)`.
        }
    }

    /// `true` once ``wake()`` was called.
    var isDone: Bool { self.done.load(ordering: .acquiring) }  // Acquire: pairs with the release in wake().

    /// Blocks until ``wake()``.
    func wait() {
        // Do not rename: profiles filter blocked time on this name.
        if let parker = self.parker {
            while !self.isDone { parker.park() }
        } else {
            while !self.isDone { _ = RunLoop.main.run(mode: .default, before: .distantFuture) }
        }
    }

    /// Traps for the callers that would deadlock, warns (once per process) for those that may starve Swift's pool.
    ///
    /// - A Loom thread (an async or compute thread of any runtime) would wait for work that may need it: trap.
    /// - The main actor — its async code (reached through a synchronous function), or a block on the main queue —
    ///   would be blocked, and the work may need it: trap. (The main thread outside any task, top-level code, waits
    ///   by running the main queue instead; see ``BlockingWait``.)
    /// - Another thread inside a task — one of Swift's cooperative pool, which has one thread per CPU — is blocked for
    ///   the whole wait; if every one of them is, work that needs that pool stops: a warning, once per runtime.
    static func checkCaller(_ function: String, instead: String, runtime: LoomRuntime) {
        LoomRuntime.preconditionNotOnLoomThread(function, instead: "From async code, \(instead)")
        let inTask = withUnsafeCurrentTask { $0 != nil }
        if Self.isOnMainQueue && (inTask || !Thread.isMainThread) {
            preconditionFailure(
                "LoomRuntime.\(function) was called from the main actor's async code (through a synchronous function) "
                    + "or a block on the main queue; it would block the main actor, and the work it waits for may need "
                    + "it. From async code, \(instead)"
            )
        }
        guard inTask else { return }
        runtime.warnOnceAboutBlocking(function, instead: instead)
    }
}
