// The parallel stable merge sort behind `parallelSort` (after rayon's `par_mergesort` and `par_merge`, with an
// adaptive splitter instead of fixed chunk sizes).
//
// 1. The range is split like any parallel operation (``Splitter``); each leaf is sorted in place with the standard
//    library's sort.
// 2. Going back up, two sorted halves are merged. The halves "ping-pong" between the collection's storage (`main`)
//    and one scratch buffer of the same size: a node that must leave its result in `main` has its children sort
//    into `scratch` and merges back into `main`, and the other way round; a leaf that must end in `scratch` sorts
//    in `main` and moves its elements over.
// 3. A merge is split too: the longer run is cut in the middle, the other at the matching position found by binary
//    search, and the two smaller merges run under `join`. So even the last merge uses every thread.
//
// Elements are moved bitwise, never copied. If the comparator throws, every step undoes its own moves before it
// reports the failure, so when the sort returns each element is in `main` exactly once.
import LoomSystem

@usableFromInline
enum SortOutcome<Failure: Error> {
    case sorted
    /// The range's elements are back in `main` (in some order); the error, or `nil` when the step stopped because
    /// another one failed.
    case failed(Failure?)
}

/// Sorts `buffer` stably with `order`, in parallel for large buffers. Returns the comparator's error, if any; the
/// buffer then holds its elements in some order.
@inlinable
func parallelMergeSort<Order: SortOrder>(
    _ buffer: UnsafeMutableBufferPointer<Order.Element>,
    _ order: Order
) -> Order.Failure? {
    let count = buffer.count
    guard count > 1 else { return nil }
    if count <= MergeSorter<Order>.sequentialLength {
        do throws(Order.Failure) {
            _ = try order.sort(buffer, state: ParallelState())
            return nil
        } catch {
            return error
        }
    }
    return Registry.currentOrShared.withWorker { registry -> Order.Failure? in
        let scratch = UnsafeMutablePointer<Order.Element>.allocate(capacity: count)
        defer { scratch.deallocate() }
        let sorter = MergeSorter(
            order: order,
            main: buffer.baseAddress!,
            scratch: scratch,
            state: ParallelState(),
            registry: registry
        )
        let threads = registry.workers.count
        let splitter = Splitter(
            threads: threads,
            splitsPerThread: MergeSorter<Order>.splitsPerThread,
            minimumLength: Swift.max(MergeSorter<Order>.leafLength, count / (threads * 16))
        )
        switch sorter.sort(0..<count, intoScratch: false, splitter, stolen: false) {
        case .sorted:
            return nil
        case .failed(let error):
            precondition(error != nil, "a parallel sort stopped without an error")
            return error
        }
    }
}

/// One parallel merge sort: the comparator, the two buffers and what the steps share.
@usableFromInline
struct MergeSorter<Order: SortOrder> {
    @usableFromInline
    typealias Element = Order.Element
    @usableFromInline
    typealias Failure = Order.Failure

    @usableFromInline
    let order: Order
    /// The collection's storage, where the result ends.
    @usableFromInline
    let main: UnsafeMutablePointer<Element>
    /// Uninitialized memory for as many elements, except while a step has moved elements there.
    @usableFromInline
    let scratch: UnsafeMutablePointer<Element>
    @usableFromInline
    let state: ParallelState
    @usableFromInline
    let registry: Registry

    @inlinable
    init(
        order: Order,
        main: UnsafeMutablePointer<Element>,
        scratch: UnsafeMutablePointer<Element>,
        state: ParallelState,
        registry: Registry
    ) {
        self.order = order
        self.main = main
        self.scratch = scratch
        self.state = state
        self.registry = registry
    }

    /// Collections up to this length are sorted sequentially, on the calling thread.
    @inlinable
    static var sequentialLength: Int { 4096 }
    /// Leaves sort at least this many elements.
    @inlinable
    static var leafLength: Int { 2048 }
    /// Merges of fewer elements than twice this run sequentially.
    @inlinable
    static var mergeLength: Int { 4096 }
    /// The sort's split budget per thread: every level of splitting costs one more merge pass over the data.
    @inlinable
    static var splitsPerThread: Int { 1 }

    /// Whether the comparator can throw, so that steps must check the stop flag.
    @inlinable
    var canFail: Bool { ParallelState.canFail(Failure.self) }

    // MARK: Sorting

    /// Sorts the elements of `range`, which are in `main`, leaving them in `scratch` if `intoScratch`, else in
    /// `main`. On failure they are all in `main` and `scratch` holds none of them.
    @inlinable
    func sort(_ range: Range<Int>, intoScratch: Bool, _ splitter: Splitter, stolen: Bool) -> SortOutcome<Failure> {
        var splitter = splitter
        guard splitter.trySplit(length: range.count, stolen: stolen) else {
            return self.sortLeaf(range, intoScratch: intoScratch)
        }
        let middle = range.lowerBound + range.count / 2
        let (left, right) = self.registry.joinContext(
            { self.sort(range.lowerBound..<middle, intoScratch: !intoScratch, splitter, stolen: false) },
            { stolen in self.sort(middle..<range.upperBound, intoScratch: !intoScratch, splitter, stolen: stolen) }
        )
        // The halves were sorted into `source`; the merge goes into `destination`.
        let source = intoScratch ? self.main : self.scratch
        let destination = intoScratch ? self.scratch : self.main
        switch (left, right) {
        case (.sorted, .sorted):
            var outcome = SortOutcome<Failure>.failed(nil)
            if !(self.canFail && self.state.isStopped) {
                let threads = self.registry.workers.count
                outcome = self.merge(
                    from: source,
                    range.lowerBound..<middle,
                    middle..<range.upperBound,
                    into: destination,
                    at: range.lowerBound,
                    Splitter(threads: threads, splitsPerThread: 1, minimumLength: Self.mergeLength),
                    stolen: false
                )
            }
            // A failed merge put the elements back into `source`.
            if case .failed = outcome, !intoScratch { self.moveToMain(range) }
            return outcome
        case (.sorted, .failed(let error)):
            if !intoScratch { self.moveToMain(range.lowerBound..<middle) }
            return .failed(error)
        case (.failed(let error), .sorted):
            if !intoScratch { self.moveToMain(middle..<range.upperBound) }
            return .failed(error)
        case (.failed(let first), .failed(let second)):
            return .failed(first ?? second)
        }
    }

    @inlinable
    func sortLeaf(_ range: Range<Int>, intoScratch: Bool) -> SortOutcome<Failure> {
        if self.canFail && self.state.isStopped { return .failed(nil) }
        do throws(Failure) {
            let buffer = UnsafeMutableBufferPointer(start: self.main + range.lowerBound, count: range.count)
            guard try self.order.sort(buffer, state: self.state) else { return .failed(nil) }
        } catch {
            self.state.stop()
            return .failed(error)
        }
        if intoScratch {
            (self.scratch + range.lowerBound).moveInitialize(from: self.main + range.lowerBound, count: range.count)
        }
        return .sorted
    }

    @inlinable
    func moveToMain(_ range: Range<Int>) {
        (self.main + range.lowerBound).moveInitialize(from: self.scratch + range.lowerBound, count: range.count)
    }

    // MARK: Merging

    /// Merges the sorted runs `source[left]` and `source[right]` (`left` first, for stability) into
    /// `destination[start...]`, splitting the merge while `splitter` allows. On failure the elements are back in
    /// their runs' slots of `source`, in some order.
    @inlinable
    func merge(
        from source: UnsafeMutablePointer<Element>,
        _ left: Range<Int>,
        _ right: Range<Int>,
        into destination: UnsafeMutablePointer<Element>,
        at start: Int,
        _ splitter: Splitter,
        stolen: Bool
    ) -> SortOutcome<Failure> {
        if self.canFail && self.state.isStopped { return .failed(nil) }
        var splitter = splitter
        guard splitter.trySplit(length: left.count + right.count, stolen: stolen) else {
            return self.mergeSequentially(from: source, left, right, into: destination, at: start)
        }
        // Cut the longer run in the middle and the other where the pivot belongs, keeping equal elements of the
        // left run before those of the right run: elements of `right` go before a left pivot only if strictly
        // smaller; elements of `left` go before a right pivot unless strictly greater.
        let leftCut: Int
        let rightCut: Int
        do throws(Failure) {
            if left.count >= right.count {
                leftCut = left.lowerBound + left.count / 2
                let pivot = source[leftCut]
                rightCut = try self.partitionPoint(source, right) { (element) throws(Failure) in
                    try self.order.areInIncreasingOrder(element, pivot)
                }
            } else {
                rightCut = right.lowerBound + right.count / 2
                let pivot = source[rightCut]
                leftCut = try self.partitionPoint(source, left) { (element) throws(Failure) in
                    try !self.order.areInIncreasingOrder(pivot, element)
                }
            }
        } catch {
            self.state.stop()
            return .failed(error)
        }
        let firstLeft = left.lowerBound..<leftCut
        let firstRight = right.lowerBound..<rightCut
        let secondLeft = leftCut..<left.upperBound
        let secondRight = rightCut..<right.upperBound
        let secondStart = start + firstLeft.count + firstRight.count
        let (first, second) = self.registry.joinContext(
            { self.merge(from: source, firstLeft, firstRight, into: destination, at: start, splitter, stolen: false) },
            { stolen in
                self.merge(
                    from: source,
                    secondLeft,
                    secondRight,
                    into: destination,
                    at: secondStart,
                    splitter,
                    stolen: stolen
                )
            }
        )
        switch (first, second) {
        case (.sorted, .sorted):
            return .sorted
        case (.sorted, .failed(let error)):
            self.unmerge(into: source, firstLeft, firstRight, from: destination, at: start)
            return .failed(error)
        case (.failed(let error), .sorted):
            self.unmerge(into: source, secondLeft, secondRight, from: destination, at: secondStart)
            return .failed(error)
        case (.failed(let a), .failed(let b)):
            return .failed(a ?? b)
        }
    }

    /// The first offset in `range` whose element does not satisfy `isBefore` (which holds for a prefix).
    @inlinable
    func partitionPoint(
        _ source: UnsafeMutablePointer<Element>,
        _ range: Range<Int>,
        _ isBefore: (Element) throws(Failure) -> Bool
    ) throws(Failure) -> Int {
        var low = range.lowerBound
        var high = range.upperBound
        while low < high {
            let middle = low + (high - low) / 2
            if try isBefore(source[middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// A sequential stable merge. On failure, moves what it merged back into the runs' slots of `source`.
    @inlinable
    func mergeSequentially(
        from source: UnsafeMutablePointer<Element>,
        _ left: Range<Int>,
        _ right: Range<Int>,
        into destination: UnsafeMutablePointer<Element>,
        at start: Int
    ) -> SortOutcome<Failure> {
        var i = left.lowerBound
        var j = right.lowerBound
        var k = start
        do throws(Failure) {
            if i < left.upperBound && j < right.upperBound {
                while true {
                    // Branch-free: for random input the comparison is a coin toss the branch predictor loses.
                    let takeRight = try self.order.areInIncreasingOrder(source[j], source[i])
                    (destination + k).initialize(to: (takeRight ? source + j : source + i).move())
                    k += 1
                    let step = takeRight ? 1 : 0
                    j += step
                    i += 1 - step
                    if i == left.upperBound || j == right.upperBound { break }
                }
            }
        } catch {
            self.state.stop()
            self.unmerge(into: source, left.lowerBound..<i, right.lowerBound..<j, from: destination, at: start)
            return .failed(error)
        }
        (destination + k).moveInitialize(from: source + i, count: left.upperBound - i)
        k += left.upperBound - i
        (destination + k).moveInitialize(from: source + j, count: right.upperBound - j)
        return .sorted
    }

    /// Moves `left.count + right.count` merged elements from `destination[start...]` back into the (vacated) slots
    /// `source[left]` and `source[right]`, in whatever order.
    @inlinable
    func unmerge(
        into source: UnsafeMutablePointer<Element>,
        _ left: Range<Int>,
        _ right: Range<Int>,
        from destination: UnsafeMutablePointer<Element>,
        at start: Int
    ) {
        (source + left.lowerBound).moveInitialize(from: destination + start, count: left.count)
        (source + right.lowerBound).moveInitialize(from: destination + start + left.count, count: right.count)
    }
}
