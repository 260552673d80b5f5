import Foundation
import Testing

/// Runs the built `loom` executable (it sits beside the test bundle in the build folder).
private enum LoomBinary {
    static let path: String? = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("loom").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return nil
    }()

    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.path))
        process.arguments = arguments
        // A clean environment: only what the test gives (plus PATH), so LOOM_* variables of the caller do not leak.
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { given, _ in given }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self)
        )
    }

    static func json(_ result: Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }
}

@Suite("loom command", .enabled(if: LoomBinary.path != nil, "the loom executable is built beside the tests"))
struct LoomCommandTests {
    @Test("LOOM_COMPUTE_THREADS reaches --json with source environment; the flag beats it")
    func environmentAndFlag() throws {
        let fromEnvironment = try LoomBinary.run(["info", "--json"], environment: ["LOOM_COMPUTE_THREADS": "3"])
        #expect(fromEnvironment.status == 0)
        let json = try LoomBinary.json(fromEnvironment)
        #expect(json["compute_threads"] as? Int == 3)
        #expect((json["sources"] as? [String: String])?["compute_threads"] == "environment")

        let fromFlag = try LoomBinary.run(
            ["info", "--json", "--loom-compute-threads", "4"],
            environment: ["LOOM_COMPUTE_THREADS": "3"]
        )
        let flagJSON = try LoomBinary.json(fromFlag)
        #expect(flagJSON["compute_threads"] as? Int == 4)
        #expect((flagJSON["sources"] as? [String: String])?["compute_threads"] == "cli")
    }

    @Test("--loom-config reads TOML, YAML and JSON", arguments: ["toml", "yaml", "json"])
    func configFile(format: String) throws {
        let directory = try TemporaryDirectory()
        let text =
            switch format {
            case "toml": "compute_threads = 5\nprefix = \"file\"\n"
            case "yaml": "compute_threads: 5\nprefix: file\n"
            default: #"{"compute_threads": 5, "prefix": "file"}"#
            }
        let path = try directory.write("loom.\(format)", text)
        let result = try LoomBinary.run(["info", "--json", "--loom-config", path])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try LoomBinary.json(result)
        #expect(json["compute_threads"] as? Int == 5)
        #expect(json["prefix"] as? String == "file")
        #expect((json["sources"] as? [String: String])?["prefix"] == "file")
    }

    @Test("a zero count exits 1 with the LoomError on standard error")
    func zeroCount() throws {
        let result = try LoomBinary.run(["info", "--loom-compute-threads", "0"])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(
            result.standardError.contains(
                "Invalid value \"0\" for compute_threads (flag --loom-compute-threads): expected a positive integer."
            )
        )
    }

    @Test("a count that is not an integer exits 64")
    func notAnInteger() throws {
        let result = try LoomBinary.run(["info", "--loom-compute-threads", "abc"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("abc"))
    }

    @Test("warnings go to standard error, the text to standard output")
    func warnings() throws {
        let result = try LoomBinary.run(["info", "--loom-async-threads", "2", "--loom-compute-threads", "64"])
        #expect(result.status == 0)
        #expect(result.standardError.contains("warning: More threads than CPUs"))
        #expect(result.standardOutput.hasPrefix("Configuration\n"))
        #expect(!result.standardOutput.contains("warning"))
    }

    @Test(
        "taskset -c 0 narrows allowed_cpus to 0",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset"))
    )
    func taskset() throws {
        let binary = try #require(LoomBinary.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
        process.arguments = ["-c", "0", binary, "info", "--json"]
        process.environment = ["PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["allowed_cpus"] as? String == "0")
        #expect(json["async_cpus"] as? String == "0")
        #expect(json["compute_cpus"] as? String == "0")
    }
}
