import Foundation
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCLI
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

/// Every thread of this process: kernel name -> Cpus_allowed_list values (one per thread with that name).
private func processThreads() throws -> [String: [String]] {
    var threads: [String: [String]] = [:]
    for tid in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") {
        guard let comm = try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8),
            let status = try? String(contentsOfFile: "/proc/self/task/\(tid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { continue }
        let cpus = line.dropFirst("Cpus_allowed_list:".count).trimmingWhitespace
        threads[comm.trimmingWhitespace, default: []].append(cpus)
    }
    return threads
}

@Suite("Thread placement", .serialized, .timeLimit(.minutes(10)))
struct ThreadPlacementTests {
    @Test("each runtime thread carries its planned kernel name and is pinned to its planned CPUs")
    func namesAndAffinity() throws {
        let runtime = try LoomBuilder().prefix("place").asyncThreads(1).computeThreads(2).pinThreads(true).build()
        defer { runtime.close() }
        _ = runtime.eventLoopGroup  // the I/O threads join the plan
        // Make sure every thread has started and named itself: run something on each pool.
        runtime.blockOn { _ = await runtime.spawnCompute { 0 } }
        _ = try runtime.eventLoopGroup.next().submit { 0 }.wait()
        let seen = try processThreads()
        #expect(runtime.threads.count == 4)
        for thread in runtime.threads {
            #expect(thread.kernelName.utf8.count <= 15)
            #expect(seen[thread.kernelName]?.count == 1, "\(thread.kernelName) should be one thread")
            #expect(seen[thread.kernelName]?.first == thread.cpus.description, "\(thread.kernelName)")
        }
    }

    @Test("with pinning off, threads keep the process's CPUs")
    func unpinned() throws {
        let runtime = try LoomBuilder().prefix("free").asyncThreads(1).computeThreads(1).pinThreads(false).build()
        defer { runtime.close() }
        runtime.blockOn { _ = await runtime.spawnCompute { 0 } }
        let seen = try processThreads()
        let allowed = try CPUSet.allowed().description
        for thread in runtime.threads {
            #expect(thread.cpus.isEmpty)
            #expect(seen[thread.kernelName]?.first == allowed)
        }
    }
}

@Suite("loom demo", .timeLimit(.minutes(10)))
struct LoomDemoTests {
    @Test("the demo pipeline matches the sequential computation and runs each step on the right pool")
    func pipeline() throws {
        let runtime = try LoomBuilder().prefix("demo").asyncThreads(1).computeThreads(2).pinThreads(false).build()
        defer { runtime.close() }
        let report = try LoomDemo.run(on: runtime, chunks: 8, chunkSize: 512)
        #expect(report.checksum == report.expectedChecksum)
        #expect(
            report.steps.map(\.entryPoint) == [
                "spawnAsync", "computeMap", "spawnCompute", "await .parallel", "install",
            ]
        )
        for step in report.steps {
            #expect(!step.threads.isEmpty)
            let prefix = step.entryPoint == "spawnAsync" ? "demo-async-" : "demo-c"
            #expect(step.threads.allSatisfy { $0.hasPrefix(prefix) }, "\(step.entryPoint): \(step.threads)")
        }
        let text = LoomDemo.render(report, runtime: runtime)
        #expect(text.contains("matches the sequential computation"))
        #expect(text.hasPrefix(runtime.description))
    }
}
