import CLoomSystem
import LoomSystem
import Synchronization

/// A helper thread of a runtime that calls `tick` every `period` until stopped: the watchdog's looks and the
/// metrics reporter's reports. Unpinned, named `{prefix}-{name}` (kernel name `{prefix}-{shortName}`). It sleeps on a
/// futex word between ticks, so ``stop()`` wakes it at once.
final class HelperLoop: @unchecked Sendable {
    // Sendable: `tick` is called on the helper thread only; `thread` is written once in `start` before the object is
    // shared and read in `stop`; the stop word is atomic.

    private let period: Duration
    private let tick: () -> Void
    /// 0 while running, 1 once stopped; also the futex word the thread sleeps on between ticks.
    private let stopWord = UnsafeMutablePointer<Atomic<UInt32>>.allocate(capacity: 1)
    private var thread: PinnedThread?

    private init(period: Duration, tick: @escaping () -> Void) {
        self.period = period
        self.tick = tick
        self.stopWord.initialize(to: Atomic(0))
    }

    deinit {
        self.stopWord.deinitialize(count: 1)
        self.stopWord.deallocate()
    }

    /// Starts the thread; the first tick comes one `period` after the start.
    ///
    /// - Throws: ``LoomError`` with code ``LoomError/Code/systemError`` if the thread cannot be started.
    static func start(
        prefix: String,
        name: String,
        shortName: String,
        period: Duration,
        tick: @escaping () -> Void
    ) throws(LoomError) -> HelperLoop {
        let loop = HelperLoop(period: period, tick: tick)
        let info = ThreadNames.helper(prefix: prefix, pool: .async, name: name, shortName: shortName)
        loop.thread = try PinnedThread.start(info, stackSize: 1 << 20) { loop.run() }
        return loop
    }

    /// Stops the thread and waits for it (it exits after the tick under way, if any).
    func stop() {
        self.stopWord.pointee.store(1, ordering: .releasing)  // Release: pairs with the acquire in isStopped.
        _ = UnsafeMutableRawPointer(self.stopWord).withMemoryRebound(to: UInt32.self, capacity: 1) {
            cloom_futex_wake($0, 1)
        }
        self.thread?.join()
    }

    private var isStopped: Bool { self.stopWord.pointee.load(ordering: .acquiring) == 1 }

    private func run() {
        let nanoseconds = max(1_000_000, Int64(self.period.inSeconds * 1e9))
        while !self.isStopped {
            _ = UnsafeMutableRawPointer(self.stopWord).withMemoryRebound(to: UInt32.self, capacity: 1) {
                cloom_futex_wait($0, 0, nanoseconds)
            }
            if self.isStopped { return }
            self.tick()
        }
    }
}
