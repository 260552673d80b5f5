// Fused parallel chains: `xs.parallel.lazy.map { … }.filter { … }.sum()` runs every stage of the chain on each
// element inside one leaf, in one parallel pass, with no array between the stages (rayon's `ParallelIterator`
// adapters). The stages are generic structs, so a chain is one specialised type and each element goes through the
// stages as direct calls, with the user's closures as the only indirect ones — as in the eager operations.
import LoomSystem

/// One stage of a ``LazyParallelView`` chain: turns an element into zero or one outputs.
///
/// Loom's own stages (``ParallelSource``, ``ParallelMapStage``, ``ParallelFilterStage``,
/// ``ParallelCompactMapStage``) are the only conformers a chain needs; the protocol is public because the stages
/// appear in the chain's type, as `LazyMapSequence` does in the standard library's.
public protocol ParallelStage<Input, Output, Failure>: Sendable {
    /// What the chain's collection holds.
    associatedtype Input: Sendable
    /// What this stage hands on.
    associatedtype Output: Sendable
    /// The error every closure of the chain may throw.
    associatedtype Failure: Error

    /// Hands `input`'s outputs (none or one) to `sink`, in order; returns `false` as soon as `sink` does (the
    /// terminal needs nothing more), else `true`.
    func feed(_ input: Input, into sink: (Output) throws(Failure) -> Bool) throws(Failure) -> Bool
}

/// The first stage of every chain: each element as it is.
public struct ParallelSource<Element: Sendable, Failure: Error>: ParallelStage {
    @inlinable
    init() {}

    @inlinable
    public func feed(_ input: Element, into sink: (Element) throws(Failure) -> Bool) throws(Failure) -> Bool {
        try sink(input)
    }
}

/// A chain's ``LazyParallelView/map(_:)`` stage.
public struct ParallelMapStage<Upstream: ParallelStage, Output: Sendable>: ParallelStage {
    @usableFromInline
    let upstream: Upstream
    @usableFromInline
    let transform: @Sendable (Upstream.Output) throws(Upstream.Failure) -> Output

    @inlinable
    init(_ upstream: Upstream, _ transform: @escaping @Sendable (Upstream.Output) throws(Upstream.Failure) -> Output) {
        self.upstream = upstream
        self.transform = transform
    }

    @inlinable
    public func feed(
        _ input: Upstream.Input,
        into sink: (Output) throws(Upstream.Failure) -> Bool
    ) throws(Upstream.Failure) -> Bool {
        try self.upstream.feed(input) { (value) throws(Upstream.Failure) -> Bool in try sink(self.transform(value)) }
    }
}

/// A chain's ``LazyParallelView/filter(_:)`` stage.
public struct ParallelFilterStage<Upstream: ParallelStage>: ParallelStage {
    @usableFromInline
    let upstream: Upstream
    @usableFromInline
    let isIncluded: @Sendable (Upstream.Output) throws(Upstream.Failure) -> Bool

    @inlinable
    init(_ upstream: Upstream, _ isIncluded: @escaping @Sendable (Upstream.Output) throws(Upstream.Failure) -> Bool) {
        self.upstream = upstream
        self.isIncluded = isIncluded
    }

    @inlinable
    public func feed(
        _ input: Upstream.Input,
        into sink: (Upstream.Output) throws(Upstream.Failure) -> Bool
    ) throws(Upstream.Failure) -> Bool {
        try self.upstream.feed(input) { (value) throws(Upstream.Failure) -> Bool in
            try self.isIncluded(value) ? try sink(value) : true
        }
    }
}

/// A chain's ``LazyParallelView/compactMap(_:)`` stage.
public struct ParallelCompactMapStage<Upstream: ParallelStage, Output: Sendable>: ParallelStage {
    @usableFromInline
    let upstream: Upstream
    @usableFromInline
    let transform: @Sendable (Upstream.Output) throws(Upstream.Failure) -> Output?

    @inlinable
    init(_ upstream: Upstream, _ transform: @escaping @Sendable (Upstream.Output) throws(Upstream.Failure) -> Output?) {
        self.upstream = upstream
        self.transform = transform
    }

    @inlinable
    public func feed(
        _ input: Upstream.Input,
        into sink: (Output) throws(Upstream.Failure) -> Bool
    ) throws(Upstream.Failure) -> Bool {
        try self.upstream.feed(input) { (value) throws(Upstream.Failure) -> Bool in
            guard let output = try self.transform(value) else { return true }
            return try sink(output)
        }
    }
}

/// A chain of `map`, `filter` and `compactMap` stages over a collection, run by a terminal operation (`reduce`,
/// `sum()`, `count()`, `min()`/`max()`, `contains`, `first(where:)`, `forEach`, `Array(_:)`) as **one** parallel
/// pass: each leaf of the work takes its elements through every stage in turn and folds the outputs straight into
/// the terminal's result, so no array is built between stages.
///
/// ```swift
/// let total = values.parallel.lazy
///     .map { $0.price }
///     .filter { $0 > 100 }
///     .sum()
/// let names = try users.parallel.lazy(throwing: DecodingError.self)
///     .compactMap { try $0.decodedName() }
///     .map { $0.uppercased() }
/// let upper = try Array(names)               // in collection order
/// ```
///
/// Building the chain costs nothing and runs nothing; the terminal runs it, on the pool the eager operations would
/// use (see ``ParallelView``), and has an `await`-able form that suspends the calling task instead of blocking.
///
/// **Errors.** A chain has one error type, chosen where it starts: ``ParallelView/lazy`` for closures that do not
/// throw, ``ParallelView/lazy(throwing:)`` for closures that throw `Failure`. (Typed throws cannot join two error
/// types, so each stage cannot bring its own.) A terminal rethrows the error of the earliest element among those
/// that were evaluated, after the remaining work has stopped early, as the eager operations do; `first(where:)`
/// and `contains(where:)` throw exactly what their sequential counterparts throw.
///
/// **When to use it.** An eager chain (`xs.parallel.map(f).filter(g)`) makes a full array per stage, each in its
/// own parallel pass. The lazy chain is the better choice whenever there is more than one stage or the result is
/// a fold (`sum`, `count`, `min`): it touches each element once. An eager `map` alone still writes its results
/// straight into place and is as fast as the lazy `Array(xs.parallel.lazy.map(f))`.
public struct LazyParallelView<Base: RandomAccessCollection & Sendable, Stage: ParallelStage>: Sendable
where Base.Element: Sendable, Stage.Input == Base.Element {
    /// The collection and its splitting settings.
    @usableFromInline
    let view: ParallelView<Base>
    /// The stages, outermost last.
    @usableFromInline
    let stage: Stage

    @inlinable
    init(_ view: ParallelView<Base>, _ stage: Stage) {
        self.view = view
        self.stage = stage
    }

    /// The collection the chain starts from.
    @inlinable
    public var base: Base { self.view.base }
}

extension ParallelView {
    /// A fused chain over the collection whose closures do not throw. See ``LazyParallelView``.
    ///
    /// - Complexity: O(1).
    @inlinable
    public var lazy: LazyParallelView<Base, ParallelSource<Base.Element, Never>> {
        LazyParallelView(self, ParallelSource())
    }

    /// A fused chain over the collection whose closures may throw `Failure` (one error type for the whole chain;
    /// see ``LazyParallelView``).
    ///
    /// ```swift
    /// let valid = try records.parallel.lazy(throwing: ParseError.self).map { try parse($0) }.count()
    /// ```
    ///
    /// - Complexity: O(1).
    @inlinable
    public func lazy<Failure: Error>(
        throwing _: Failure.Type
    ) -> LazyParallelView<Base, ParallelSource<Base.Element, Failure>> {
        LazyParallelView(self, ParallelSource())
    }
}

// MARK: Stages

extension LazyParallelView {
    /// The chain with `transform` applied to each output.
    ///
    /// - Complexity: O(1); `transform` runs when a terminal runs the chain, once per output that reaches it.
    @inlinable
    public func map<T: Sendable>(
        _ transform: @escaping @Sendable (Stage.Output) throws(Stage.Failure) -> T
    ) -> LazyParallelView<Base, ParallelMapStage<Stage, T>> {
        LazyParallelView<Base, ParallelMapStage<Stage, T>>(self.view, ParallelMapStage(self.stage, transform))
    }

    /// The chain with only the outputs that satisfy `isIncluded`.
    ///
    /// - Complexity: O(1); `isIncluded` runs when a terminal runs the chain, once per output that reaches it.
    @inlinable
    public func filter(
        _ isIncluded: @escaping @Sendable (Stage.Output) throws(Stage.Failure) -> Bool
    ) -> LazyParallelView<Base, ParallelFilterStage<Stage>> {
        LazyParallelView<Base, ParallelFilterStage<Stage>>(self.view, ParallelFilterStage(self.stage, isIncluded))
    }

    /// The chain with `transform` applied to each output and the `nil` results dropped.
    ///
    /// - Complexity: O(1); `transform` runs when a terminal runs the chain, once per output that reaches it.
    @inlinable
    public func compactMap<T: Sendable>(
        _ transform: @escaping @Sendable (Stage.Output) throws(Stage.Failure) -> T?
    ) -> LazyParallelView<Base, ParallelCompactMapStage<Stage, T>> {
        LazyParallelView<Base, ParallelCompactMapStage<Stage, T>>(
            self.view,
            ParallelCompactMapStage(self.stage, transform)
        )
    }
}

// MARK: Terminals

extension LazyParallelView {
    /// The chain's outputs folded into one value: each leaf starts from `start()` and folds its elements' outputs in
    /// order; adjacent leaves merge left to right (see `ParallelView.fold`).
    @inlinable
    func fold<Partial>(
        start: () -> Partial,
        _ step: (inout Partial, Stage.Output) throws(Stage.Failure) -> Void,
        merge: (Partial, Partial) throws(Stage.Failure) -> Partial
    ) throws(Stage.Failure) -> Partial {
        try self.view.fold(start: start) { (partial, element) throws(Stage.Failure) in
            _ = try self.stage.feed(element) { (output) throws(Stage.Failure) -> Bool in
                try step(&partial, output)
                return true
            }
        } merge: { (left, right) throws(Stage.Failure) in
            try merge(left, right)
        }
    }

    /// Calls `body` on each output of the chain, in parallel.
    ///
    /// - Parameter body: called once per output, on any thread of the pool, in no particular order.
    /// - Throws: the error of the earliest element among those evaluated (from any stage or `body`).
    /// - Complexity: one pass over the collection, spread over the pool's threads.
    @inlinable
    public func forEach(_ body: @Sendable (Stage.Output) throws(Stage.Failure) -> Void) throws(Stage.Failure) {
        let stage = self.stage
        try self.view.forEach { (element) throws(Stage.Failure) in
            _ = try stage.feed(element) { (output) throws(Stage.Failure) -> Bool in
                try body(output)
                return true
            }
        }
    }

    /// Combines the chain's outputs with an associative `operation`, as ``ParallelView/reduce(_:_:)-(…)->Element``
    /// does the elements: the result equals the sequential chain's `reduce(identity, operation)` when `operation`
    /// is associative and `identity` is its identity element.
    ///
    /// ```swift
    /// let longest = lines.parallel.lazy.map(\.count).reduce(0, Swift.max)
    /// ```
    ///
    /// - Complexity: one pass over the collection, spread over the pool's threads.
    @inlinable
    public func reduce(
        _ identity: Stage.Output,
        _ operation: @Sendable (Stage.Output, Stage.Output) throws(Stage.Failure) -> Stage.Output
    ) throws(Stage.Failure) -> Stage.Output {
        try self.fold(start: { identity }) { (partial, output) throws(Stage.Failure) in
            partial = try operation(partial, output)
        } merge: { (a, b) throws(Stage.Failure) in
            try operation(a, b)
        }
    }

    /// Folds the chain's outputs into one accumulator per piece of the collection and combines the accumulators in
    /// order, as ``ParallelView/reduce(into:_:combine:)-(…)->Accumulator`` does the elements.
    ///
    /// ```swift
    /// let histogram = samples.parallel.lazy.map { bucket(of: $0) }.reduce(into: [Int](repeating: 0, count: 256)) {
    ///     $0[$1] += 1
    /// } combine: { left, right in
    ///     for index in left.indices { left[index] += right[index] }
    /// }
    /// ```
    ///
    /// - Complexity: one pass over the collection, spread over the pool's threads; O(pieces) calls to `combine`.
    @inlinable
    public func reduce<Accumulator: Sendable>(
        into initial: Accumulator,
        _ update: @Sendable (inout Accumulator, Stage.Output) throws(Stage.Failure) -> Void,
        combine: @Sendable (inout Accumulator, Accumulator) throws(Stage.Failure) -> Void
    ) throws(Stage.Failure) -> Accumulator {
        try self.fold(start: { initial }, update) { (left, right) throws(Stage.Failure) in
            var merged = left
            try combine(&merged, right)
            return merged
        }
    }

    /// The number of outputs: for a chain of `map`s, the collection's count; with `filter` or `compactMap`, how
    /// many got through.
    ///
    /// A method rather than a property, unlike the standard library's lazy `count`: it runs the whole chain, in
    /// parallel, and has an `await`-able form.
    ///
    /// - Complexity: one pass over the collection, spread over the pool's threads.
    @inlinable
    public func count() throws(Stage.Failure) -> Int {
        try self.fold(start: { 0 }) { (partial, _) throws(Stage.Failure) in
            partial += 1
        } merge: {
            $0 + $1
        }
    }

    /// The first output in collection order that satisfies `predicate`, not merely the first one found; work past
    /// a match stops early, and every element before it is examined (see ``ParallelView/first(where:)``).
    ///
    /// - Throws: exactly what the sequential chain's `first(where:)` throws (for closures that answer the same
    ///   every time).
    /// - Complexity: one pass over the collection at most, spread over the pool's threads.
    @inlinable
    public func first(
        where predicate: @Sendable (Stage.Output) throws(Stage.Failure) -> Bool
    ) throws(Stage.Failure) -> Stage.Output? {
        let stage = self.stage
        return try self.view.firstResult { (element) throws(Stage.Failure) -> Stage.Output? in
            var found: Stage.Output? = nil
            _ = try stage.feed(element) { (output) throws(Stage.Failure) -> Bool in
                guard try predicate(output) else { return true }
                found = output
                return false
            }
            return found
        }
    }

    /// The first output in collection order, as the sequential chain's `first`.
    ///
    /// - Complexity: as ``first(where:)``.
    @inlinable
    public func first() throws(Stage.Failure) -> Stage.Output? {
        try self.first { _ in true }
    }

    /// Whether some output satisfies `predicate`; work stops early once one does.
    ///
    /// - Throws: exactly what the sequential chain's `contains(where:)` throws (for closures that answer the same
    ///   every time).
    /// - Complexity: one pass over the collection at most, spread over the pool's threads.
    @inlinable
    public func contains(
        where predicate: @Sendable (Stage.Output) throws(Stage.Failure) -> Bool
    ) throws(Stage.Failure) -> Bool {
        try self.first(where: predicate) != nil
    }

    /// Whether every output satisfies `predicate`; work stops early at the first that does not.
    ///
    /// - Complexity: one pass over the collection at most, spread over the pool's threads.
    @inlinable
    public func allSatisfy(
        _ predicate: @Sendable (Stage.Output) throws(Stage.Failure) -> Bool
    ) throws(Stage.Failure) -> Bool {
        try !self.contains { (output) throws(Stage.Failure) -> Bool in try !predicate(output) }
    }

    /// The least output by `areInIncreasingOrder`, the first of equal ones, as the sequential chain's `min(by:)`.
    ///
    /// - Complexity: one pass over the collection, spread over the pool's threads.
    @inlinable
    public func min(
        by areInIncreasingOrder: @Sendable (Stage.Output, Stage.Output) throws(Stage.Failure) -> Bool
    ) throws(Stage.Failure) -> Stage.Output? {
        try self.fold(start: { Stage.Output?.none }) { (best, output) throws(Stage.Failure) in
            if let current = best, try !areInIncreasingOrder(output, current) { return }
            best = output
        } merge: { (left, right) throws(Stage.Failure) in
            guard let a = left else { return right }
            guard let b = right else { return left }
            return try areInIncreasingOrder(b, a) ? b : a
        }
    }

    /// The greatest output by `areInIncreasingOrder`, the first of equal ones, as the sequential chain's
    /// `max(by:)`.
    ///
    /// - Complexity: one pass over the collection, spread over the pool's threads.
    @inlinable
    public func max(
        by areInIncreasingOrder: @Sendable (Stage.Output, Stage.Output) throws(Stage.Failure) -> Bool
    ) throws(Stage.Failure) -> Stage.Output? {
        try self.fold(start: { Stage.Output?.none }) { (best, output) throws(Stage.Failure) in
            if let current = best, try !areInIncreasingOrder(current, output) { return }
            best = output
        } merge: { (left, right) throws(Stage.Failure) in
            guard let a = left else { return right }
            guard let b = right else { return left }
            return try areInIncreasingOrder(a, b) ? b : a
        }
    }

    /// The outputs in collection order (what `Array(_:)` returns).
    @inlinable
    func collected() throws(Stage.Failure) -> [Stage.Output] {
        let stage = self.stage
        return try self.view.collect { (element, chunk: inout [Stage.Output]) throws(Stage.Failure) in
            _ = try stage.feed(element) { (output) throws(Stage.Failure) -> Bool in
                chunk.append(output)
                return true
            }
        }
    }
}

extension LazyParallelView where Stage.Output: Comparable {
    /// The least output, the first of equal ones, as the sequential chain's `min()`.
    ///
    /// - Complexity: one pass over the collection, spread over the pool's threads.
    @inlinable
    public func min() throws(Stage.Failure) -> Stage.Output? { try self.min { $0 < $1 } }

    /// The greatest output, the first of equal ones, as the sequential chain's `max()`.
    ///
    /// - Complexity: one pass over the collection, spread over the pool's threads.
    @inlinable
    public func max() throws(Stage.Failure) -> Stage.Output? { try self.max { $0 < $1 } }
}

extension LazyParallelView where Stage.Output: Equatable {
    /// Whether some output equals `element`; work stops early once one does.
    ///
    /// - Complexity: one pass over the collection at most, spread over the pool's threads.
    @inlinable
    public func contains(_ element: Stage.Output) throws(Stage.Failure) -> Bool {
        try self.contains { $0 == element }
    }
}

extension LazyParallelView where Stage.Output: AdditiveArithmetic {
    /// The sum of the outputs, as the sequential chain's `reduce(.zero, +)` (an overflow traps, as there).
    ///
    /// ```swift
    /// let bytes = files.parallel.lazy.filter(\.isRegular).map(\.size).sum()
    /// ```
    ///
    /// - Complexity: one pass over the collection, spread over the pool's threads.
    @inlinable
    public func sum() throws(Stage.Failure) -> Stage.Output {
        try self.reduce(.zero) { $0 + $1 }
    }
}

extension Array {
    /// The outputs of a fused parallel chain, in collection order, built in one parallel pass (each leaf fills an
    /// array of its own, and the leaves' arrays are then copied into this one in parallel).
    ///
    /// ```swift
    /// let names = Array(users.parallel.lazy.filter(\.isActive).map(\.name))
    /// ```
    ///
    /// - Throws: the error of the earliest element among those evaluated; no partial array is returned.
    /// - Complexity: one pass over the collection, spread over the pool's threads; the outputs are copied twice.
    @inlinable
    public init<Base, Stage>(_ chain: LazyParallelView<Base, Stage>) throws(Stage.Failure)
    where Stage.Output == Element {
        self = try chain.collected()
    }

    /// The `await`-able ``init(_:)-(LazyParallelView<Base,Stage>)``: the chain runs on a compute pool while the
    /// calling task is suspended.
    @inlinable
    public init<Base, Stage>(_ chain: LazyParallelView<Base, Stage>) async throws(Stage.Failure)
    where Stage.Output == Element {
        self = try await Registry.forAsyncCaller.runSuspending { () throws(Stage.Failure) -> [Element] in
            try chain.collected()
        }
    }
}
