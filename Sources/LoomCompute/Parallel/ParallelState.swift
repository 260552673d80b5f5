import LoomSystem
import Synchronization

/// What the leaves of one parallel operation share: a stop flag (set on the first error, or on the match of an
/// early-exit operation) and the offset of the earliest event seen so far (for ``ParallelView/first(where:)``).
///
/// Both are hints that let leaves skip work nobody needs. Results never travel through them: every leaf returns
/// its result (or error) through the join tree, so a leaf that reads a stale value only does useless work.
///
/// ## Memory ordering
/// All accesses are relaxed. No data is published through the flag or the offset: a leaf that sees them set only
/// skips work whose result would be discarded anyway, and the results themselves reach the caller through
/// `join`, whose latch (release/acquire) orders them.
@usableFromInline
final class ParallelState: Sendable {
    @usableFromInline
    let stopFlag = Atomic<Bool>(false)
    @usableFromInline
    let earliestEvent = Atomic<Int>(Int.max)

    @inlinable
    init() {}

    /// `true` once some leaf asked the others to stop.
    @inlinable
    var isStopped: Bool {
        self.stopFlag.load(ordering: .relaxed)  // Relaxed: a hint, see the type's notes.
    }

    /// Asks every leaf to stop at its next check.
    @inlinable
    func stop() {
        self.stopFlag.store(true, ordering: .relaxed)  // Relaxed: a hint, see the type's notes.
    }

    /// Records an event (a match or an error) at `offset`; leaves past the earliest recorded event stop.
    @inlinable
    func recordEvent(at offset: Int) {
        _ = self.earliestEvent.min(offset, ordering: .relaxed)  // Relaxed: a hint, see the type's notes.
    }

    /// `true` when an event was recorded before `offset`, so nothing at `offset` or later can matter.
    @inlinable
    func hasEvent(before offset: Int) -> Bool {
        self.earliestEvent.load(ordering: .relaxed) < offset  // Relaxed: a hint, see the type's notes.
    }

    /// Whether leaves of an operation whose closures throw `E` must check the stop flag: only if they can throw.
    @inlinable
    static func canFail<E: Error>(_: E.Type) -> Bool { E.self != Never.self }
}
