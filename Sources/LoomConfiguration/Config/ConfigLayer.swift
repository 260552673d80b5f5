/// A checked value, where it came from, and how it was written there (for later messages, such as a cpuset
/// that names CPUs the process may not use).
import LoomSystem

package struct Setting<Value: Sendable & Equatable>: Sendable, Equatable {
    package var value: Value
    package var source: LoomConfiguration.Source
    package var written: String

    package init(_ value: Value, source: LoomConfiguration.Source, written: String? = nil) {
        self.value = value
        self.source = source
        self.written = written ?? "\(value)"
    }

    fileprivate init(_ value: Value, from raw: RawSetting) {
        self.init(value, source: raw.source, written: raw.value.text)
    }
}

/// The checked values of one source (a file, the environment, the setters, the flags, ...): each key is either
/// set, with its source, or absent.
///
/// ``LoomBuilder/resolve()`` reads every source into a layer and overlays them in the fixed order
/// defaults < files < environment < `ConfigReader` < setters < flags. Every value is checked where it is read
/// (``init(decoding:)``), so a bad value is reported even when a later layer overrides it.
package struct ConfigLayer: Sendable, Equatable {
    package var prefix: Setting<String>?
    package var cpuset: Setting<CPUSet>?
    package var asyncThreads: Setting<Int>?
    package var computeThreads: Setting<Int>?
    package var pinThreads: Setting<Bool>?
    package var computePoolSize: Setting<Int>?
    package var cudaDevice: Setting<CUDADeviceSelector>?
    package var watchdog: Setting<Duration>?
    package var blockingThreads: Setting<Int>?
    package var statistics: Setting<Bool>?
    package var metricsInterval: Setting<Duration>?
    package var console: Setting<String>?
    package var shareAsyncCPUs: Setting<Bool>?

    /// A layer with no value set.
    package init() {}

    /// Checks raw values and keeps them.
    ///
    /// - Throws: ``LoomError`` naming the key, source and value: a wrong type or range
    ///   (``LoomError/Code/invalidConfiguration``), a cpuset that does not parse (``LoomError/Code/invalidCPUSet``),
    ///   or a key given twice in one source under its name and its alias.
    package init(decoding settings: [RawSetting]) throws(LoomError) {
        var byKey: [LoomConfiguration.Key: RawSetting] = [:]
        for setting in settings {
            if let earlier = byKey[setting.key], earlier.spelling != setting.spelling {
                throw Self.aliasConflict(earlier, setting)
            }
            byKey[setting.key] = setting
        }
        for key in LoomConfiguration.Key.allCases {
            guard let raw = byKey[key] else { continue }
            switch key {
            case .prefix: self.prefix = Setting(try Self.prefix(raw), from: raw)
            case .cpuset: self.cpuset = Setting(try Self.cpuset(raw), from: raw)
            case .asyncThreads: self.asyncThreads = Setting(try Self.threadCount(raw), from: raw)
            case .computeThreads: self.computeThreads = Setting(try Self.threadCount(raw), from: raw)
            case .pinThreads: self.pinThreads = Setting(try Self.boolean(raw), from: raw)
            case .computePoolSize: self.computePoolSize = Setting(try Self.positiveInteger(raw), from: raw)
            case .cudaDevice: self.cudaDevice = Setting(try Self.cudaDevice(raw), from: raw)
            case .watchdog: self.watchdog = Setting(try Self.seconds(raw), from: raw)
            case .blockingThreads: self.blockingThreads = Setting(try Self.threadCount(raw), from: raw)
            case .statistics: self.statistics = Setting(try Self.boolean(raw), from: raw)
            case .metricsInterval: self.metricsInterval = Setting(try Self.seconds(raw), from: raw)
            case .console: self.console = Setting(try Self.socketPath(raw), from: raw)
            case .shareAsyncCPUs: self.shareAsyncCPUs = Setting(try Self.boolean(raw), from: raw)
            }
        }
    }

    /// This layer with every value that `higher` sets replaced by `higher`'s.
    package func overlaid(by higher: ConfigLayer) -> ConfigLayer {
        var result = self
        result.prefix = higher.prefix ?? self.prefix
        result.cpuset = higher.cpuset ?? self.cpuset
        result.asyncThreads = higher.asyncThreads ?? self.asyncThreads
        result.computeThreads = higher.computeThreads ?? self.computeThreads
        result.pinThreads = higher.pinThreads ?? self.pinThreads
        result.computePoolSize = higher.computePoolSize ?? self.computePoolSize
        result.cudaDevice = higher.cudaDevice ?? self.cudaDevice
        result.watchdog = higher.watchdog ?? self.watchdog
        result.blockingThreads = higher.blockingThreads ?? self.blockingThreads
        result.statistics = higher.statistics ?? self.statistics
        result.metricsInterval = higher.metricsInterval ?? self.metricsInterval
        result.console = higher.console ?? self.console
        result.shareAsyncCPUs = higher.shareAsyncCPUs ?? self.shareAsyncCPUs
        return result
    }

    /// Where the value of `key` came from, or `nil` when this layer does not set it.
    package func source(of key: LoomConfiguration.Key) -> LoomConfiguration.Source? {
        switch key {
        case .prefix: self.prefix?.source
        case .cpuset: self.cpuset?.source
        case .asyncThreads: self.asyncThreads?.source
        case .computeThreads: self.computeThreads?.source
        case .pinThreads: self.pinThreads?.source
        case .computePoolSize: self.computePoolSize?.source
        case .cudaDevice: self.cudaDevice?.source
        case .watchdog: self.watchdog?.source
        case .blockingThreads: self.blockingThreads?.source
        case .statistics: self.statistics?.source
        case .metricsInterval: self.metricsInterval?.source
        case .console: self.console?.source
        case .shareAsyncCPUs: self.shareAsyncCPUs?.source
        }
    }
}

// MARK: - Checking one value

extension ConfigLayer {
    private static func invalid(
        _ raw: RawSetting,
        _ reason: String,
        code: LoomError.Code = .invalidConfiguration
    ) -> LoomError {
        .invalidValue(code, key: raw.spelling, value: raw.value.text, source: raw.source.description, reason: reason)
    }

    /// `reason`, plus "found a string" when the source typed the value as something else.
    private static func wrongType(_ raw: RawSetting, _ reason: String) -> LoomError {
        invalid(raw, "\(reason), found \(raw.value.typeName)")
    }

    private static func positiveInteger(_ raw: RawSetting) throws(LoomError) -> Int {
        let reason = "expected a positive integer"
        let value: Int
        switch raw.value {
        case .integer(let integer): value = integer
        case .text(let text):
            guard let integer = Self.decimalInteger(text) else { throw invalid(raw, reason) }
            value = integer
        default: throw wrongType(raw, reason)
        }
        guard value >= 1 else { throw invalid(raw, reason) }
        return value
    }

    private static func threadCount(_ raw: RawSetting) throws(LoomError) -> Int {
        let count = try Self.positiveInteger(raw)
        guard count <= LoomThreadInfo.maximumThreadsPerPool else {
            throw invalid(raw, "expected at most \(LoomThreadInfo.maximumThreadsPerPool) threads per pool")
        }
        return count
    }

    /// A number of seconds, zero or more: an integer or a decimal number (`10`, `2.5`); text is read the same way.
    private static func seconds(_ raw: RawSetting) throws(LoomError) -> Duration {
        let reason = "expected a number of seconds, 0 or more (0 turns it off)"
        let value: Double
        switch raw.value {
        case .integer(let integer): value = Double(integer)
        case .number(let number): value = number
        case .text(let text):
            guard let number = Double(text.trimmingWhitespace), !text.trimmingWhitespace.isEmpty else {
                throw invalid(raw, reason)
            }
            value = number
        default: throw wrongType(raw, reason)
        }
        guard value.isFinite, value >= 0, value <= 86_400 * 365 else { throw invalid(raw, reason) }
        return .nanoseconds(Int64((value * 1e9).rounded()))
    }

    /// A decimal integer with an optional leading minus sign and surrounding whitespace; nothing else.
    package static func decimalInteger(_ text: String) -> Int? {
        let trimmed = text.trimmingWhitespace
        let digits = trimmed.hasPrefix("-") ? trimmed.dropFirst() : Substring(trimmed)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(trimmed)
    }

    /// `true/false/1/0/yes/no/on/off`, in any case.
    package static func lenientBoolean(_ text: String) -> Bool? {
        switch text.trimmingWhitespace.lowercased() {
        case "true", "1", "yes", "on": true
        case "false", "0", "no", "off": false
        default: nil
        }
    }

    private static func boolean(_ raw: RawSetting) throws(LoomError) -> Bool {
        switch raw.value {
        case .boolean(let value): return value
        case .text(let text):
            guard let value = Self.lenientBoolean(text) else {
                throw invalid(raw, "expected true or false (or yes/no, on/off, 1/0)")
            }
            return value
        default: throw wrongType(raw, "expected true or false")
        }
    }

    private static func prefix(_ raw: RawSetting) throws(LoomError) -> String {
        let text: String
        switch raw.value {
        case .text(let value), .string(let value): text = value
        default: throw wrongType(raw, "expected a string")
        }
        guard !text.isEmpty else { throw invalid(raw, "the prefix must not be empty") }
        if let control = text.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            let code = String(control.value, radix: 16, uppercase: true)
            throw invalid(raw, "the prefix must not contain control characters (found U+\(code))")
        }
        return text
    }

    /// A Unix socket path: not empty, no NUL, short enough for `sockaddr_un` (107 bytes). Relative paths are taken
    /// from the working directory.
    private static func socketPath(_ raw: RawSetting) throws(LoomError) -> String {
        let text: String
        switch raw.value {
        case .text(let value), .string(let value): text = value
        default: throw wrongType(raw, "expected the path of a Unix socket")
        }
        guard !text.isEmpty else { throw invalid(raw, "the socket path must not be empty") }
        guard !text.utf8.contains(0) else { throw invalid(raw, "the socket path must not contain NUL") }
        guard text.utf8.count <= 107 else {
            throw invalid(raw, "a Unix socket path may be at most 107 bytes long (this one is \(text.utf8.count))")
        }
        return text
    }

    private static func cpuset(_ raw: RawSetting) throws(LoomError) -> CPUSet {
        let text: String
        switch raw.value {
        case .text(let value), .string(let value): text = value
        case .integer(let value): text = "\(value)"
        default: throw wrongType(raw, "expected a CPU list such as \"0-3,8-11\"")
        }
        do {
            return try CPUSet(parsing: text)
        } catch {
            throw error.attributed(toKey: raw.spelling, source: raw.source.description)
        }
    }

    private static func cudaDevice(_ raw: RawSetting) throws(LoomError) -> CUDADeviceSelector {
        let reason = "expected a CUDA device ordinal (0, 1, ...) or a GPU UUID (GPU-...)"
        let selector: CUDADeviceSelector
        switch raw.value {
        case .integer(let ordinal): selector = .ordinal(ordinal)
        case .text(let text):
            // Text (environment, flags): a decimal number is an ordinal, anything else a UUID.
            guard !text.trimmingWhitespace.isEmpty else { throw invalid(raw, reason) }
            selector = CUDADeviceSelector(parsing: text)
        case .string(let text):
            // A typed string (a file, `cudaDevice(uuid:)`) is a UUID, as in loom-rs.
            guard !text.trimmingWhitespace.isEmpty else { throw invalid(raw, reason) }
            selector = .uuid(text.trimmingWhitespace)
        default: throw wrongType(raw, reason)
        }
        if case .ordinal(let ordinal) = selector, ordinal < 0 { throw invalid(raw, reason) }
        return selector
    }

    private static func aliasConflict(_ first: RawSetting, _ second: RawSetting) -> LoomError {
        let (key, alias) = first.spelling == first.key.rawValue ? (first, second) : (second, first)
        let reason =
            "both \(key.spelling) = \(key.value.text) (\(key.source.description)) and its alias "
            + "\(alias.spelling) = \(alias.value.text) (\(alias.source.description)) are set; keep one"
        return LoomError(
            .invalidConfiguration,
            description: "Conflicting values for \(key.key.rawValue): \(reason).",
            reason: reason,
            key: key.spelling,
            value: key.value.text,
            source: key.source.description
        )
    }
}
