import CLoomSystem
import LoomSystem

// The adaptive splitting behind every parallel operation: rayon's `Splitter`/`LengthSplitter` and
// `bridge_producer_consumer` (rayon `src/iter/plumbing/mod.rs`), over ranges of element offsets.

/// Decides whether a range of work is split in two or processed as one leaf (rayon's `LengthSplitter`).
///
/// A `join` costs 40-60 ns even when nothing is stolen, a steal costs microseconds, so an operation should split
/// only as much as the pool can use. The splitter starts with a budget of `splits` (a small multiple of the thread
/// count) and halves it on each split, so an undisturbed operation makes about `2 × splits` leaves. When a half
/// turns out to have been *stolen* (it runs on another worker than the one that split it), the thief evidently had
/// nothing to do, so the budget is reset to at least the thread count and the stolen half is split further. A
/// minimum leaf length keeps leaves from becoming tiny however often work is stolen.
///
/// See `Documentation/Internals/ComputePool.md`, "Splitting parallel operations".
@usableFromInline
struct Splitter: Sendable {
    /// The split budget left on this path of the tree.
    @usableFromInline
    var splits: Int
    /// What a stolen half's budget is reset to (at least): the pool's thread count.
    @usableFromInline
    let threads: Int
    /// Ranges shorter than twice this are not split.
    @usableFromInline
    let minimumLength: Int

    /// A splitter for a pool of `threads` threads that starts with `splitsPerThread × threads` splits and makes
    /// leaves of at least `minimumLength` elements.
    @inlinable
    init(threads: Int, splitsPerThread: Int = Self.splitsPerThread, minimumLength: Int) {
        self.threads = threads
        self.splits = threads * splitsPerThread
        self.minimumLength = Swift.max(1, minimumLength)
    }

    /// A splitter for `count` elements with the default leaf length: ``leafLength`` elements, or fewer for short
    /// inputs, so that an input of a few expensive elements is still spread over the threads (down to 1).
    @inlinable
    init(threads: Int, count: Int) {
        self.init(
            threads: threads,
            minimumLength: Swift.min(Self.leafLength, count / (threads * Self.leavesPerThreadForShortInputs))
        )
    }

    /// Whether a range of `length` elements should be split; updates the budget. `stolen` tells whether this range
    /// was stolen by another worker (rayon's `migrated`).
    @inlinable
    mutating func trySplit(length: Int, stolen: Bool) -> Bool {
        guard length / 2 >= self.minimumLength else { return false }
        if stolen {
            self.splits = Swift.max(self.threads, self.splits / 2)
            return true
        }
        guard self.splits > 0 else { return false }
        self.splits /= 2
        return true
    }

    /// Initial budget per thread: `8 × threads` splits make `16 × threads` leaves when nobody steals. Leaves that
    /// small cost nothing measurable (a `join` is ~50 ns, a leaf of the P4 benchmark ~25 ms) and bound the time a
    /// thread can sit idle at the end, when another process slows the other thread down, to about one leaf.
    @inlinable
    static var splitsPerThread: Int { 8 }

    /// The default minimum leaf length, so that a leaf of trivial closures (~1 ns each) lasts about a microsecond
    /// and the cost of a `join` stays in the noise.
    @inlinable
    static var leafLength: Int { 1024 }

    /// For inputs shorter than `threads × leavesPerThreadForShortInputs × leafLength`, the minimum leaf length
    /// shrinks so that the input can still make that many leaves per thread.
    @inlinable
    static var leavesPerThreadForShortInputs: Int { 16 }
}

/// Splits `offsets` with `splitter` and runs `leaf` on each piece, in parallel where the pool has idle threads,
/// and combines the results of adjacent pieces with `combine` (left, right), so the result is as if `leaf` had run
/// on the pieces from left to right (rayon's `bridge_producer_consumer`). Must run on a worker of `registry`.
@inlinable
func bridge<R>(
    _ offsets: Range<Int>,
    _ splitter: Splitter,
    stolen: Bool,
    in registry: Registry,
    leaf: (Range<Int>) -> R,
    combine: (R, R) -> R
) -> R {
    var splitter = splitter
    guard splitter.trySplit(length: offsets.count, stolen: stolen) else { return leaf(offsets) }
    let middle = offsets.lowerBound + offsets.count / 2
    let (left, right) = registry.joinContext(
        { bridge(offsets.lowerBound..<middle, splitter, stolen: false, in: registry, leaf: leaf, combine: combine) },
        { stolen in
            bridge(middle..<offsets.upperBound, splitter, stolen: stolen, in: registry, leaf: leaf, combine: combine)
        }
    )
    return combine(left, right)
}
