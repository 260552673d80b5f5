/// Spin and sleep constants, in one place so benchmarks can tune them. Waking a parked thread costs 5-50 µs on
/// small virtual machines, so every waiting thread first spins for a few microseconds.
///
/// `LOOMTUNING_NO_SPIN=1` in the environment (read once) sets every spin to zero rounds, so that waiting threads park
/// at once. It is for measurement only: `Benchmarks/callgrind.sh` counts the instructions of an operation's own
/// path that way, without the polls of a spinning thread, whose number depends on timing.
import LoomSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

package enum LoomTuning {
    /// Rounds an idle compute worker keeps looking for work before it parks; the first `workerPauseRounds` of them
    /// only execute a `pause`, the rest yield the CPU (`sched_yield`).
    package static let workerSpinRounds = spins(320)
    package static let workerPauseRounds = 256
    /// Rounds a non-worker thread waiting for a compute job (`install` from outside) spins before it parks.
    package static let blockingSpinRounds = spins(2048)

    /// `rounds`, or 0 under `LOOMTUNING_NO_SPIN`.
    package static func spins(_ rounds: Int) -> Int { noSpin ? 0 : rounds }

    private static let noSpin: Bool = getenv("LOOMTUNING_NO_SPIN") != nil
}

extension LoomTuning {
    /// Stack size of compute workers. A nested `join` level takes about 4 KiB of stack in a debug build and 5 KiB
    /// under ThreadSanitizer (measured), so the 10 000-deep nesting the test suite checks needs ~50 MiB; release
    /// builds need a fraction of that. The memory is only reserved: pages are touched as the stack grows.
    package static let computeStackSize = 128 << 20
}

extension LoomTuning {
    /// Stack size of async-pool threads (Swift tasks keep their frames on the task's own allocator, so little
    /// thread stack is needed).
    package static let asyncStackSize = 8 << 20
    /// Rounds an idle async-pool thread spins (a `pause` per round, a `sched_yield` every 32) before it parks:
    /// about 20-50 µs, long enough to catch the resumption of a task that just hopped to the compute pool.
    package static let asyncSpinRounds = spins(4096)
    /// How long an idle async-pool thread parks at a time, in nanoseconds, while a compute thread that borrows its
    /// CPU runs a job (`share_async_cpus`): each timed wake-up makes the kernel choose again who runs on that CPU
    /// (see `AsyncPool.isBorrowerRunning`). `LOOMTUNING_BORROWED_PARK_US` (read once) overrides it, 0 meaning "until
    /// woken", for measurement (`Benchmarks/server.sh`).
    package static let asyncParkWhileBorrowed: Int64? = {
        guard let value = getenv("LOOMTUNING_BORROWED_PARK_US"), let micros = Int64(String(cString: value)) else {
            return 500_000
        }
        return micros > 0 ? micros * 1000 : nil
    }()
}
