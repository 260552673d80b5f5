// The shared machinery of the operations whose result size is not known in advance (`filter`, `compactMap`,
// `flatMap`): each leaf fills an array of its own, the join tree gathers the leaves' arrays in order, and the
// arrays are then copied into the result in parallel (rayon's `LinkedList<Vec<T>>` collect).
import LoomSystem

extension ParallelView {
    /// Calls `fill(element, &chunk)` for every element, each leaf with an array of its own, and returns the
    /// concatenation of the leaves' arrays in collection order.
    @inlinable
    func collect<T: Sendable, E: Error>(_ fill: (Base.Element, inout [T]) throws(E) -> Void) throws(E) -> [T] {
        if self.base.isEmpty { return [] }
        let state = ParallelState()
        let result = Registry.currentOrShared.withWorker { registry -> Result<[T], E> in
            let chunks = bridge(
                0..<self.base.count,
                self.splitter(threads: registry.workers.count, count: self.base.count),
                stolen: false,
                in: registry
            ) { offsets -> Result<[[T]], E> in
                var chunk: [T] = []
                do throws(E) {
                    _ = try self.forEachElement(
                        in: offsets,
                        until: { _ in ParallelState.canFail(E.self) && state.isStopped }
                    ) { _, element throws(E) in
                        try fill(element, &chunk)
                        return true
                    }
                } catch {
                    state.stop()
                    return .failure(error)
                }
                return .success(chunk.isEmpty ? [] : [chunk])
            } combine: { left, right in
                switch (left, right) {
                case (.success(var a), .success(let b)):
                    a.append(contentsOf: b)
                    return .success(a)
                case (.failure, _): return left
                case (_, .failure): return right
                }
            }
            return chunks.map { concatenate($0, in: registry) }
        }
        return try result.get()
    }
}

/// The elements of `chunks` in order, copied into one array in parallel. Must run on a worker of `registry`.
@inlinable
func concatenate<T>(_ chunks: [[T]], in registry: Registry) -> [T] {
    switch chunks.count {
    case 0: return []
    case 1: return chunks[0]
    default: break
    }
    var starts: [Int] = []
    starts.reserveCapacity(chunks.count)
    var total = 0
    for chunk in chunks {
        starts.append(total)
        total += chunk.count
    }
    return [T](unsafeUninitializedCapacity: total) { buffer, initializedCount in
        let output = buffer.baseAddress!
        bridge(
            0..<chunks.count,
            Splitter(threads: registry.workers.count, minimumLength: 1),
            stolen: false,
            in: registry
        ) { range in
            for index in range {
                chunks[index].withUnsafeBufferPointer { chunk in
                    (output + starts[index]).initialize(from: chunk.baseAddress!, count: chunk.count)
                }
            }
        } combine: { _, _ in
        }
        initializedCount = total
    }
}
