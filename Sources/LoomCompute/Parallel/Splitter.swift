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

    /// A leaf runs in up to this many pieces, and between two pieces it may hand what is left to an idle thread
    /// (see ``runLeaf(_:minimumLength:in:leaf:combine:)``): a thread that runs out of work waits for at most about
    /// an eighth of another thread's leaf, instead of the whole leaf.
    @inlinable
    static var piecesPerLeaf: Int { 8 }
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
    guard splitter.trySplit(length: offsets.count, stolen: stolen) else {
        return runLeaf(offsets, minimumLength: splitter.minimumLength, in: registry, leaf: leaf, combine: combine)
    }
    let middle = offsets.lowerBound + offsets.count / 2
    let (left, right) = registry.joinContext(
        { bridge(offsets.lowerBound..<middle, splitter, stolen: false, in: registry, leaf: leaf, combine: combine) },
        { stolen in
            bridge(middle..<offsets.upperBound, splitter, stolen: stolen, in: registry, leaf: leaf, combine: combine)
        }
    )
    return combine(left, right)
}

/// Runs one leaf of ``bridge(_:_:stolen:in:leaf:combine:)`` in pieces, and splits what is left as soon as another
/// thread of the pool has run out of work: lazy splitting on top of the splitter's eager budget.
///
/// The splitter's budget bounds how big a leaf is (about `1 / (16 × threads)` of the input), but once a leaf has
/// started nobody can take part of it, so when the work is uneven (or a thread was slowed down) the last leaves
/// finish while the other threads sit idle. So a leaf of at least two pieces runs as up to ``Splitter/piecesPerLeaf``
/// calls of `leaf`, and before each piece after the first it looks whether the pool has a searching or sleeping
/// thread while the calling worker has nothing queued for it to steal (``Registry/hasIdleThreadAndNothingToSteal``,
/// a few relaxed loads). If so, what is left goes back to `bridge` with a fresh budget, which splits it and pushes
/// halves other threads can steal. Results still combine in order: `combine(piece 1, combine(piece 2, ...))` and
/// `combine(pieces so far, bridge(rest))` are the same tree shapes `combine` already accepts (it is associative).
/// Nothing is split below `minimumLength` (``ParallelView/minimumSplit(_:)`` stays a guarantee).
@inlinable
func runLeaf<R>(
    _ offsets: Range<Int>,
    minimumLength: Int,
    in registry: Registry,
    leaf: (Range<Int>) -> R,
    combine: (R, R) -> R
) -> R {
    let pieceLength = Swift.max(minimumLength, offsets.count / Splitter.piecesPerLeaf)
    guard offsets.count >= 2 * pieceLength, registry.workers.count > 1 else { return leaf(offsets) }
    var start = offsets.lowerBound + pieceLength
    var result = leaf(offsets.lowerBound..<start)
    while start < offsets.upperBound {
        let rest = start..<offsets.upperBound
        if rest.count >= 2 * minimumLength && registry.hasIdleThreadAndNothingToSteal {
            let splitter = Splitter(threads: registry.workers.count, splitsPerThread: 1, minimumLength: minimumLength)
            let tail = bridge(rest, splitter, stolen: false, in: registry, leaf: leaf, combine: combine)
            return combine(result, tail)
        }
        // The last piece takes a remainder shorter than a piece with it.
        let end = rest.count < 2 * pieceLength ? rest.upperBound : start + pieceLength
        result = combine(result, leaf(start..<end))
        start = end
    }
    return result
}
