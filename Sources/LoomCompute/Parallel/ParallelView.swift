/// A random-access collection seen through ``Swift/RandomAccessCollection/parallel``: its operations run in
/// parallel on a compute pool and return what their sequential counterparts return.
///
/// ```swift
/// let squares = (0..<1_000_000).parallel.map { $0 &* $0 }   // [Int], in order
/// let firstBig = values.parallel.first { $0 > 1_000 }        // the first in collection order
/// ```
///
/// Operations run on the pool of the calling compute worker; on a runtime's async or I/O thread, on that runtime's
/// compute pool; elsewhere on ``ComputePool/shared``. A caller outside the pool blocks until the operation is done;
/// use ``ComputePool/install(_:)`` to pick a pool. From async code, `await` the operation (`await xs.parallel.map {
/// … }`): every operation has an `async` form that suspends the calling task instead.
///
/// The input is split adaptively: into a few pieces per thread, and further only when a thread runs out of work
/// and steals (see `Documentation/Internals/ComputePool.md`). Closures may run on any thread of the pool, in any
/// order, and must be `@Sendable`.
///
/// ## Errors
/// Closures use typed throws: a non-throwing closure needs no `try` at the call site. When closures throw, the
/// operation rethrows **the error thrown for the earliest element among those that were evaluated** (for
/// ``first(where:)``, exactly the error the sequential version throws), after the rest of the work has stopped
/// early: leaves check a shared stop flag before each element. No partially built result is leaked.
///
/// - Important: Like every compute-pool call from outside the pool, a synchronous operation called from a thread
///   outside any pool blocks that thread. From async code, await its `async` form, or wrap the work in
///   ``LoomRuntime/spawnCompute(_:)``.
import LoomSystem

public struct ParallelView<Base: RandomAccessCollection & Sendable>: Sendable where Base.Element: Sendable {
    /// The collection whose elements the operations visit.
    public let base: Base

    /// The fewest elements a leaf gets (``minimumSplit(_:)``); `0` lets the splitter choose.
    @usableFromInline
    let minimumLength: Int

    @inlinable
    init(_ base: Base, minimumLength: Int = 0) {
        self.base = base
        self.minimumLength = minimumLength
    }
}

extension ParallelView {
    /// The same view, whose operations never hand a thread fewer than `length` consecutive elements at a time
    /// (rayon's `with_min_len`): a collection shorter than twice `length` runs as one piece, on one thread.
    ///
    /// By default the input is cut into a few pieces per thread, down to 1 024 elements each (fewer for short
    /// inputs), and cut further only when a thread runs out of work, even a piece another thread is already
    /// working through (its rest is handed over between two stretches of at least `length` elements). Raise the
    /// minimum when an element costs only nanoseconds and its neighbours share cache lines or set-up work (a leaf
    /// then amortises it); leave it alone when elements are expensive or uneven, where small pieces balance the
    /// load.
    ///
    /// ```swift
    /// let total = pixels.parallel.minimumSplit(16_384).reduce(0, &+)
    /// ```
    ///
    /// The name follows the issue tracker's proposal (`minimumSplit`), read as "the minimum size of a split".
    /// It applies to this view only: views derived from it (``enumerated()``, ``zip(_:)``,
    /// ``chunks(ofCount:)``) count in their own elements and start from the default.
    ///
    /// - Parameter length: at least 1.
    /// - Complexity: O(1).
    @inlinable
    public func minimumSplit(_ length: Int) -> ParallelView<Base> {
        precondition(length >= 1, "minimumSplit(\(length)): a leaf needs at least 1 element")
        return ParallelView(self.base, minimumLength: length)
    }

    /// The splitter for this view's `count` elements on a pool of `threads` threads.
    @inlinable
    func splitter(threads: Int, count: Int) -> Splitter {
        if self.minimumLength > 0 { return Splitter(threads: threads, minimumLength: self.minimumLength) }
        return Splitter(threads: threads, count: count)
    }
}

extension RandomAccessCollection where Self: Sendable, Element: Sendable {
    /// A view of the collection whose operations (`map`, `filter`, `reduce`, `sorted`, ...) run in parallel on a
    /// compute pool.
    ///
    /// ```swift
    /// let total = (0..<10_000_000).parallel.map { f($0) }.reduce(0, &+)
    /// ```
    ///
    /// - Complexity: O(1).
    @inlinable
    public var parallel: ParallelView<Self> { ParallelView(self) }
}

extension ParallelView {
    /// Splits the offsets of `base` adaptively, runs `leaf` on each piece on the pool of the calling worker (else
    /// the shared pool) and combines adjacent results in order. An empty base runs `leaf(0..<0)` inline.
    @inlinable
    func drive<R>(_ leaf: (Range<Int>) -> R, combine: (R, R) -> R) -> R {
        let count = self.base.count
        if count == 0 { return leaf(0..<0) }
        return Registry.currentOrShared.withWorker { registry in
            bridge(
                0..<count,
                self.splitter(threads: registry.workers.count, count: count),
                stolen: false,
                in: registry,
                leaf: leaf,
                combine: combine
            )
        }
    }

    /// Folds the elements into one value: each leaf starts from `start()` and applies `step` to its elements in
    /// order, and adjacent leaves' values are merged left to right. An error from `step` or `merge` stops the
    /// remaining leaves; the error of the earliest failed leaf is rethrown. `count`, `reduce`, `min` and `max` are
    /// folds.
    @inlinable
    func fold<Partial, E: Error>(
        start: () -> Partial,
        _ step: (inout Partial, Base.Element) throws(E) -> Void,
        merge: (Partial, Partial) throws(E) -> Partial
    ) throws(E) -> Partial {
        let state = ParallelState()
        let result = self.drive { offsets -> Result<Partial, E> in
            var partial = start()
            if !ParallelState.canFail(E.self) {
                // Nothing can fail, so nothing can stop a leaf: a plain loop, with no per-element stop check or
                // wrapper closure between the elements and `step`.
                var index = self.base.index(self.base.startIndex, offsetBy: offsets.lowerBound)
                do throws(E) {
                    for _ in offsets {
                        try step(&partial, self.base[index])
                        self.base.formIndex(after: &index)
                    }
                } catch {
                    return .failure(error)  // Never reached: E is Never.
                }
                return .success(partial)
            }
            do throws(E) {
                _ = try self.forEachElement(
                    in: offsets,
                    until: { _ in ParallelState.canFail(E.self) && state.isStopped }
                ) { _, element throws(E) in
                    try step(&partial, element)
                    return true
                }
                // A leaf that stopped returns a partial value: some other leaf failed, and its error wins.
                return .success(partial)
            } catch {
                state.stop()
                return .failure(error)
            }
        } combine: { left, right in
            guard case .success(let a) = left else { return left }
            guard case .success(let b) = right else { return right }
            do throws(E) {
                return .success(try merge(a, b))
            } catch {
                state.stop()
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Calls `body(offset, element)` for the elements at `offsets`, in order, until `body` returns `false` or
    /// `shouldStop(offset)` says the remaining elements are not needed (checked before each element).
    ///
    /// - Returns: the offset after the last element `body` was called with (`offsets.upperBound` if none was
    ///   skipped).
    @inlinable
    func forEachElement<E: Error>(
        in offsets: Range<Int>,
        until shouldStop: (Int) -> Bool,
        _ body: (Int, Base.Element) throws(E) -> Bool
    ) throws(E) -> Int {
        var index = self.base.index(self.base.startIndex, offsetBy: offsets.lowerBound)
        var offset = offsets.lowerBound
        while offset < offsets.upperBound {
            if shouldStop(offset) { return offset }
            let goOn = try body(offset, self.base[index])
            offset += 1
            if !goOn { return offset }
            self.base.formIndex(after: &index)
        }
        return offset
    }
}
