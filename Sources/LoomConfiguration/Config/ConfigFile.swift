import LoomSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A configuration file to read: its path, whether it must exist, and where the path came from.
package struct ConfigFile: Sendable, Equatable {
    /// One top-level key of a file, with its value and, where the parser says, its line.
    package struct Entry: Equatable {
        package var name: String
        package var value: RawSetting.Value
        package var line: Int?

        package init(name: String, value: RawSetting.Value, line: Int? = nil) {
            self.name = name
            self.value = value
            self.line = line
        }
    }

    /// The path as given (relative paths are relative to the working directory).
    package var path: String
    /// `false` when a missing file is skipped.
    package var required: Bool
    /// Where the path came from: `code (LoomBuilder.file)` or `flag --loom-config`.
    package var origin: String

    package init(path: String, required: Bool, origin: String) {
        self.path = path
        self.required = required
        self.origin = origin
    }

    /// The source every value of this file reports: `file <path>`.
    package var source: LoomConfiguration.Source { .file(self.path) }

    /// The format, from the extension (case-insensitive).
    private enum Format: String {
        case toml = "TOML"
        case yaml = "YAML"
        case json = "JSON"
    }

    /// Reads the file and returns its top-level keys as raw settings, with the warnings for loom-rs keys Loom
    /// does not use (``LoomRSKeys``), or `nil` when the file is optional and does not exist.
    ///
    /// - Throws: ``LoomError`` with code ``LoomError/Code/fileNotFound``, ``LoomError/Code/unreadableFile``,
    ///   ``LoomError/Code/malformedFile`` (also for an unsupported extension) or ``LoomError/Code/unknownKey``
    ///   (with a "did you mean" suggestion).
    package func load() throws(LoomError) -> (settings: [RawSetting], warnings: [String])? {
        let format = try self.format()
        guard let text = try self.readText() else { return nil }
        let entries: [Entry]
        switch format {
        case .json: entries = try self.parseJSON(text)
        case .yaml: entries = try self.parseYAML(text)
        case .toml: entries = try self.parseTOML(text)
        }
        var settings: [RawSetting] = []
        var warnings: [String] = []
        let asyncThreadsSet = entries.contains { LoomConfiguration.Key(spelling: $0.name) == .asyncThreads }
        for entry in entries {
            if LoomRSKeys.names.contains(entry.name) {
                let (mapped, warning) = try LoomRSKeys.interpret(
                    entry.name,
                    entry.value,
                    source: self.source,
                    asyncThreadsSet: asyncThreadsSet
                )
                settings += mapped
                warnings += warning.map { [$0] } ?? []
                continue
            }
            guard let key = LoomConfiguration.Key(spelling: entry.name) else { throw self.unknownKey(entry) }
            settings.append(RawSetting(key: key, spelling: entry.name, value: entry.value, source: self.source))
        }
        return (settings, warnings)
    }

    private func format() throws(LoomError) -> Format {
        let name = self.path.split(separator: "/").last.map(String.init) ?? self.path
        let suffix = name.split(separator: ".").count > 1 ? name.split(separator: ".").last!.lowercased() : ""
        switch suffix {
        case "json": return .json
        case "yaml", "yml":
            #if YAML
            return .yaml
            #else
            throw self.notBuiltIn("YAML", instead: ".toml or .json")
            #endif
        case "toml":
            #if TOML
            return .toml
            #else
            throw self.notBuiltIn("TOML", instead: ".yaml or .json")
            #endif
        default:
            let found = suffix.isEmpty ? "no extension" : "the extension \".\(suffix)\""
            throw self.malformed("\(found) is not supported; use .toml, .yaml, .yml or .json")
        }
    }

    /// The file's text, `nil` if it is optional and missing.
    private func readText() throws(LoomError) -> String? {
        let fd = open(self.path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let error = errno
            if error == ENOENT || error == ENOTDIR {
                guard self.required else { return nil }
                throw LoomError(
                    .fileNotFound,
                    description: "Configuration file \(self.path) (\(self.origin)) does not exist.",
                    reason: "the file does not exist",
                    value: self.path,
                    source: self.origin
                )
            }
            throw self.unreadable(error)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw self.unreadable(errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw self.malformed("the file is not valid UTF-8 text")
        }
        return text
    }

    private func unreadable(_ error: Int32) -> LoomError {
        let reason = "it cannot be read: \(String(cString: strerror(error)))"
        return LoomError(
            .unreadableFile,
            description: "Configuration file \(self.path) (\(self.origin)) exists but \(reason).",
            reason: reason,
            value: self.path,
            source: self.origin
        )
    }

    /// A file whose format's package trait is off (`instead`: the extensions that would work, if any).
    package func notBuiltIn(_ trait: String, instead: String? = nil) -> LoomError {
        let alternative = instead.map { ", or use a \($0) file" } ?? ""
        return self.malformed("\(trait) support is not built in (enable the package trait \(trait)\(alternative))")
    }

    /// `Configuration file <path> is not valid <format>: <reason>.`
    package func malformed(_ reason: String, format: String? = nil) -> LoomError {
        let what = format.map { "is not valid \($0)" } ?? "cannot be used"
        return LoomError(
            .malformedFile,
            description: "Configuration file \(self.path) \(what): \(reason.endingWithPeriod)",
            reason: reason,
            value: self.path,
            source: self.source.description
        )
    }

    private func unknownKey(_ entry: Entry) -> LoomError {
        let place = entry.line.map { "\(self.source.description), line \($0)" } ?? self.source.description
        let hint: String
        if let suggestion = Suggestion.closest(to: entry.name, among: LoomConfiguration.Key.allSpellings) {
            hint = "did you mean \"\(suggestion)\"?"
        } else {
            hint = "known keys: " + LoomConfiguration.Key.allSpellings.joined(separator: ", ") + "."
        }
        let reason = "unknown key; \(hint)"
        return LoomError(
            .unknownKey,
            description: "Unknown key \"\(entry.name)\" = \(entry.value.text) (\(place)); \(hint)",
            reason: reason,
            key: entry.name,
            value: entry.value.text,
            source: self.source.description
        )
    }
}
