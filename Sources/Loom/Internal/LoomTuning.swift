/// Spin and sleep constants, in one place so benchmarks can tune them. Waking a parked thread costs 5-50 µs on
/// small virtual machines, so every waiting thread first spins for a few microseconds.
enum LoomTuning {
    /// Rounds an idle compute worker keeps looking for work (yielding the CPU between rounds) before it parks.
    static let workerSpinRounds = 64
    /// Rounds a non-worker thread waiting for a compute job (`install` from outside) spins before it parks.
    static let blockingSpinRounds = 2048
}

extension LoomTuning {
    /// Stack size of compute workers. Deeply nested `join`s (10 000 levels in the test suite, in debug builds)
    /// need more than the 8 MiB default; the memory is only reserved, and pages are touched as the stack grows.
    static let computeStackSize = 64 << 20
}
