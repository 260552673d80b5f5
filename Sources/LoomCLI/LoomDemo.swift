import Loom
import LoomArgumentParser
import LoomCompute
import LoomConfiguration
import LoomSystem
import Synchronization

/// The pipeline `loom demo` runs, in the style the README recommends: inside `blockOn`, a producer task on the async
/// pool, `computeMap` over its output, a `spawnCompute` aggregation and an awaited parallel sort (the task suspends);
/// then, from the calling (synchronous) thread, an `install` with parallel operations — printing which thread ran
/// each step.
///
/// It lives in the `loom` executable; tests import it (`@testable import LoomCLI`) to run exactly what the command prints.
package enum LoomDemo {
    /// What one step did and where.
    package struct Step: Sendable, Equatable {
        package let entryPoint: String
        package let summary: String
        /// The kernel names of the threads that ran it, sorted, without duplicates.
        package let threads: [String]
    }

    /// Everything the demo computed.
    package struct Report: Sendable {
        package let steps: [Step]
        package let checksum: UInt64
        package let expectedChecksum: UInt64
    }

    /// The input: `chunks` chunks of `chunkSize` pseudo-random numbers (a fixed seed, so results are checkable).
    package static func chunk(_ index: Int, size: Int) -> [UInt64] {
        var state = 0x9E37_79B9_7F4A_7C15 &+ UInt64(index) &* 0xBF58_476D_1CE4_E5B9
        return (0..<size).map { _ in
            state ^= state >> 30
            state &*= 0xBF58_476D_1CE4_E5B9
            state ^= state >> 27
            return state
        }
    }

    /// A deliberately CPU-heavy per-chunk digest.
    package static func digest(_ values: [UInt64]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for value in values {
            for shift in stride(from: 0, to: 64, by: 8) {
                hash ^= (value >> UInt64(shift)) & 0xFF
                hash &*= 0x0000_0100_0000_01B3
            }
        }
        return hash
    }

    /// The same result computed sequentially on the calling thread, to check the pipeline against.
    package static func sequentialChecksum(chunks: Int, chunkSize: Int) -> UInt64 {
        let digests = (0..<chunks).map { digest(chunk($0, size: chunkSize)) }
        let merged = digests.reduce(0, ^)
        let all = (0..<chunks).flatMap { chunk($0, size: chunkSize) }
        let evens = all.filter { $0 & 1 == 0 }.sorted()
        return merged ^ (evens.first ?? 0) ^ UInt64(evens.count)
    }

    /// Runs the pipeline on `runtime`. Synchronous code only, and not on a Loom thread (it uses `blockOn` and
    /// `install`).
    package static func run(on runtime: LoomRuntime, chunks: Int = 64, chunkSize: Int = 4096) throws -> Report {
        let places = LockedValue<[String: Set<String>]>([:])
        let note: @Sendable (String) -> Void = { entryPoint in
            let thread = LoomRuntime.currentThreadName()
            _ = places.withLock { $0[entryPoint, default: []].insert(thread) }
        }
        let (asyncSteps, merged) = try runtime.blockOn { () async throws -> ([Step], UInt64) in
            // 1. spawnAsync: a producer task streams chunks.
            let (stream, continuation) = AsyncStream.makeStream(of: [UInt64].self, bufferingPolicy: .bufferingOldest(4))
            let producer = runtime.spawnAsync {
                for index in 0..<chunks {
                    note("spawnAsync")
                    let chunk = LoomDemo.chunk(index, size: chunkSize)
                    while case .dropped = continuation.yield(chunk) { await Task.yield() }
                }
                continuation.finish()
                return chunks
            }
            // 2. computeMap: digest each chunk on the compute pool, in order, several in flight.
            var digests: [UInt64] = []
            let maxConcurrency = max(2, runtime.configuration.computeThreads)
            for try await digest in stream.computeMap(
                maxConcurrency: maxConcurrency,
                { values -> UInt64 in
                    note("computeMap")
                    return LoomDemo.digest(values)
                }
            ) {
                digests.append(digest)
            }
            let produced = await producer.value
            // 3. spawnCompute: merge the digests on the compute pool (the closure borrows `digests`).
            let merged = await runtime.spawnCompute { () -> UInt64 in
                note("spawnCompute")
                return digests.reduce(0, ^)
            }
            // 4. An awaited parallel operation: the task suspends while the compute pool sorts the digests.
            let ordered = await digests.parallel.sorted { a, b in
                note("await .parallel")
                return a < b
            }
            let steps = [
                Step(
                    entryPoint: "spawnAsync",
                    summary: "produced \(produced) chunks of \(chunkSize) numbers",
                    threads: []
                ),
                Step(entryPoint: "computeMap", summary: "digested \(digests.count) chunks, in order", threads: []),
                Step(entryPoint: "spawnCompute", summary: "merged \(digests.count) digests", threads: []),
                Step(entryPoint: "await .parallel", summary: "sorted \(ordered.count) digests", threads: []),
            ]
            return (steps, merged)
        }
        // 5. install, from this synchronous thread: regenerate, filter and sort all values with parallel operations.
        let (smallestEven, evenCount) = runtime.install { () -> (UInt64, Int) in
            note("install")
            let all = (0..<chunks).parallel.flatMap { index -> [UInt64] in
                note("install")
                return LoomDemo.chunk(index, size: chunkSize)
            }
            let evens = all.parallel.filter { $0 & 1 == 0 }.parallel.sorted()
            return (evens.first ?? 0, evens.count)
        }
        let steps =
            asyncSteps
            + [
                Step(
                    entryPoint: "install",
                    summary: "parallel flatMap, filter and sort of \(chunks * chunkSize) numbers (\(evenCount) even)",
                    threads: []
                )
            ]
        let checksum = merged ^ smallestEven ^ UInt64(evenCount)
        let seen = places.withLock { $0 }
        let located = steps.map { step in
            Step(entryPoint: step.entryPoint, summary: step.summary, threads: (seen[step.entryPoint] ?? []).sorted())
        }
        return Report(
            steps: located,
            checksum: checksum,
            expectedChecksum: self.sequentialChecksum(chunks: chunks, chunkSize: chunkSize)
        )
    }

    /// The text `loom demo` prints.
    package static func render(_ report: Report, runtime: LoomRuntime) -> String {
        var lines = [runtime.description, "", "threads:"]
        for thread in runtime.threads {
            let cpus = thread.cpus.isEmpty ? "unpinned" : "cpus \(thread.cpus)"
            lines.append(
                "  \(thread.name.padding(toLength: 24, withPad: " ", startingAt: 0)) "
                    + "kernel name \(thread.kernelName.padding(toLength: 16, withPad: " ", startingAt: 0)) \(cpus)"
            )
        }
        lines.append("")
        lines.append("pipeline:")
        let width = report.steps.map(\.entryPoint.count).max() ?? 0
        for step in report.steps {
            lines.append("  \(step.entryPoint.padding(toLength: width, withPad: " ", startingAt: 0)) \(step.summary)")
            lines.append("  \(String(repeating: " ", count: width)) ran on \(step.threads.joined(separator: ", "))")
        }
        lines.append("")
        let verdict = report.checksum == report.expectedChecksum ? "matches" : "DOES NOT MATCH"
        lines.append("checksum \(String(report.checksum, radix: 16)) \(verdict) the sequential computation")
        return lines.joined(separator: "\n")
    }
}
