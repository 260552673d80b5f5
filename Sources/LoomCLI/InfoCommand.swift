import ArgumentParser
import Foundation
import Loom

/// `loom info [--json] [LoomArguments…]`: resolves the configuration as
/// `LoomBuilder().file(--loom-config).envPrefix("LOOM").withCLIArgs(…)` would, without starting threads, and
/// prints it. Warnings go to standard error; a bad value exits with code 1 and the error on standard error.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the resolved configuration, the source of each value, and which thread runs on which CPU."
    )

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @OptionGroup(title: "Loom runtime options")
    var loom: LoomArguments

    func run() throws {
        let configuration: LoomConfiguration
        do {
            configuration = try LoomBuilder().envPrefix("LOOM").withCLIArgs(self.loom).resolve()
        } catch {
            StandardError.write("error: \(error.description)")
            throw ExitCode(1)
        }
        for warning in configuration.warnings { StandardError.write("warning: \(warning)") }
        print(self.json ? configuration.infoJSON : configuration.infoText)
    }
}

enum StandardError {
    static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
