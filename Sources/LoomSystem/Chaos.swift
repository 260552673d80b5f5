import CLoomSystem

/// Fault injection for the wait/wake protocols.
///
/// Builds with `-Xswiftc -DLOOM_CHAOS` call ``point()`` inside the critical windows of the sleep, latch, parker and
/// async-pool protocols: between publishing work and looking for sleepers, between announcing sleep and re-checking,
/// between a latch store and its wake-up. There the calling thread sometimes yields its CPU or busy-waits, so
/// interleavings that take hours to occur by chance occur within seconds (`scripts/soak.sh --chaos`). Every other
/// build compiles the calls away.
@usableFromInline
package enum Chaos {
    #if LOOM_CHAOS
    @usableFromInline @inline(never)
    package static func point() { cloom_chaos_point() }
    #else
    @inlinable @inline(__always)
    package static func point() {}
    #endif
}
