import LoomCompute
import LoomConfiguration
import LoomSystem

extension AsyncSequence where Self: Sendable, Element: Sendable {
    /// Transforms each element on a Loom compute pool, keeping the input order.
    ///
    /// ```swift
    /// for try await y in numbers.computeMap({ n in (0..<n).reduce(0) { $0 + $1 * $1 } }) { … }
    /// let out = try await numbers.computeMap(maxConcurrency: 4) { heavy($0) }.reduce(into: []) { $0.append($1) }
    /// ```
    ///
    /// - By default one element is in flight: the next element is pulled from the base sequence only when the
    ///   consumer asks for the next result (natural backpressure). With `maxConcurrency: n`, up to `n` elements are
    ///   transformed in parallel and the base sequence is pulled at most `n` elements ahead of the consumer; results
    ///   still come out in input order.
    /// - A thrown error ends the sequence with that error (results before it are delivered first).
    /// - Cancelling the consuming task stops pulling from the base sequence: `next()` then returns `nil`.
    /// - Each transform is tracked like ``LoomRuntime/spawnCompute(_:)``. Beyond the element itself, nothing is
    ///   allocated per element: one buffer of `maxConcurrency` slots is allocated per iteration.
    ///
    /// - Parameters:
    ///   - runtime: the runtime whose compute pool runs the transforms; `nil` (the default) means
    ///     ``LoomRuntime/current`` when iteration starts.
    ///   - maxConcurrency: how many elements may be in flight at once, at least 1.
    ///   - transform: the CPU-bound work for one element.
    /// - Returns: an asynchronous sequence of the transformed elements.
    /// - Important: Iterating without a runtime (no `on:` and no current runtime) traps with a message.
    @inlinable
    public func computeMap<Output: Sendable>(
        on runtime: LoomRuntime? = nil,
        maxConcurrency: Int = 1,
        _ transform: @escaping @Sendable (Element) throws -> Output
    ) -> ComputeMapSequence<Self, Output> {
        precondition(maxConcurrency >= 1, "computeMap needs maxConcurrency >= 1 (got \(maxConcurrency)).")
        return ComputeMapSequence(base: self, runtime: runtime, maxConcurrency: maxConcurrency, transform: transform)
    }
}

/// The sequence ``_Concurrency/AsyncSequence/computeMap(on:maxConcurrency:_:)`` returns.
public struct ComputeMapSequence<Base: AsyncSequence & Sendable, Output: Sendable>: AsyncSequence, Sendable
where Base.Element: Sendable {
    public typealias Element = Output
    public typealias Failure = any Error

    // Inlinable down to the one-element-in-flight path, so that the client's compiler specialises it for its own
    // base sequence and transform (unspecialised generic async code pays metadata look-ups on every element).
    @usableFromInline let base: Base
    @usableFromInline let runtime: LoomRuntime?
    @usableFromInline let maxConcurrency: Int
    @usableFromInline let transform: @Sendable (Base.Element) throws -> Output

    @usableFromInline
    init(
        base: Base,
        runtime: LoomRuntime?,
        maxConcurrency: Int,
        transform: @escaping @Sendable (Base.Element) throws -> Output
    ) {
        self.base = base
        self.runtime = runtime
        self.maxConcurrency = maxConcurrency
        self.transform = transform
    }

    @inlinable
    public func makeAsyncIterator() -> Iterator {
        Iterator(sequence: self)
    }

    /// The iterator: pulls from the base sequence and hands elements to the compute pool.
    public struct Iterator: AsyncIteratorProtocol {
        @usableFromInline var base: Base.AsyncIterator
        @usableFromInline let sequence: ComputeMapSequence
        @usableFromInline var runtime: LoomRuntime?
        @usableFromInline var window: ComputeMapWindow<Base.Element, Output>?
        @usableFromInline var baseFinished = false
        @usableFromInline var finished = false

        @usableFromInline
        init(sequence: ComputeMapSequence) {
            self.base = sequence.base.makeAsyncIterator()
            self.sequence = sequence
            self.runtime = sequence.runtime
        }

        @inlinable
        public mutating func next() async throws -> Output? {
            guard !self.finished else { return nil }
            let runtime = self.resolveRuntime()
            do {
                let result: Output?
                if self.sequence.maxConcurrency == 1 {
                    result = try await self.nextOneAtATime(runtime)
                } else {
                    result = try await self.nextWindowed(runtime)
                }
                if result == nil { self.finished = true }
                return result
            } catch {
                self.finished = true
                throw error
            }
        }

        @inlinable
        mutating func resolveRuntime() -> LoomRuntime {
            if let runtime = self.runtime { return runtime }
            guard let current = LoomRuntime.current else {
                preconditionFailure(
                    "computeMap was iterated outside a Loom runtime; iterate it inside runtime.blockOn or a task "
                        + "from runtime.spawnAsync, or pass the runtime: computeMap(on: runtime) { … }."
                )
            }
            self.runtime = current
            return current
        }

        /// One element in flight: the consuming task itself moves to the compute pool for the transform.
        @inlinable
        mutating func nextOneAtATime(_ runtime: LoomRuntime) async throws -> Output? {
            if Task.isCancelled { return nil }
            guard let element = try await self.base.next() else { return nil }
            let transform = self.sequence.transform
            return try await runtime.computeMapItem { try transform(element) }
        }

        /// Up to `maxConcurrency` elements in flight, in a ring of preallocated slots.
        @usableFromInline
        mutating func nextWindowed(_ runtime: LoomRuntime) async throws -> Output? {
            if self.window == nil {
                self.window = ComputeMapWindow(
                    capacity: self.sequence.maxConcurrency,
                    runtime: runtime,
                    transform: self.sequence.transform
                )
            }
            let window = self.window!
            // Fill the window: pull ahead, at most `capacity` elements beyond the consumer.
            while !self.baseFinished && !window.isFull {
                if Task.isCancelled {
                    self.baseFinished = true
                    break
                }
                guard let element = try await self.base.next() else {
                    self.baseFinished = true
                    break
                }
                window.dispatch(element)
            }
            if Task.isCancelled && window.isEmpty { return nil }
            guard !window.isEmpty else { return nil }
            return try await window.takeHead()
        }
    }
}
