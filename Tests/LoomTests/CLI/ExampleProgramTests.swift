import Foundation
import Testing

/// Runs example programs built beside the test bundle, as a user would: their whole process, their main thread.
private enum ExampleProgram {
    static func path(_ name: String) -> String? {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return nil
    }

    static func run(_ name: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.path(name)))
        process.environment = ["PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite(
    "Example programs",
    .enabled(if: ExampleProgram.path("SynchronousMain") != nil, "the examples are built beside the tests"),
    .timeLimit(.minutes(10))
)
struct ExampleProgramTests {
    @Test("a synchronous main's blockOn completes a body that awaits the main actor (the main queue keeps running)")
    func synchronousMain() throws {
        let result = try ExampleProgram.run("SynchronousMain")
        #expect(result.status == 0)
        #expect(result.output.contains("answer: 42"))
        #expect(result.output.contains("sorted: 0 ... 99999"))
    }

    @Test("an async main on the main actor and an actor use every kind of entry point")
    func actors() throws {
        let result = try ExampleProgram.run("Actors")
        #expect(result.status == 0)
        #expect(result.output.contains("total 9990000, 101 buckets, 5000 even values"))
        #expect(result.output.contains("top 3: [999, 999, 999]"))
    }

    @Test("QuickStart, the README's first example, runs from top-level code")
    func quickStart() throws {
        let result = try ExampleProgram.run("QuickStart")
        #expect(result.status == 0)
        #expect(result.output.contains("value: 499999600042"))
    }
}
