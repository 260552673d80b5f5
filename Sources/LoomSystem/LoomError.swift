/// The one error type Loom throws for bad input: a wrong configuration value, file, flag, cpuset or CUDA device.
///
/// Every `LoomError` carries a ``code`` to match on and a full-sentence ``description`` that names the offending
/// value, the configuration key it was given for and where it came from, for example:
///
/// ```
/// Invalid value "abc" for compute_threads (environment variable LOOM_COMPUTE_THREADS): expected a positive integer.
/// ```
///
/// Errors thrown by your own closures are never wrapped in a `LoomError`; they reach you unchanged.
public struct LoomError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for matching. New codes may be added in later versions.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A cpuset string that does not parse.
        public static let invalidCPUSet = Code("invalidCPUSet")
        /// A CPU that is not in the process's allowed set (taskset, numactl, cgroup cpuset).
        public static let cpuNotAllowed = Code("cpuNotAllowed")
        /// No CPU is left to run on.
        public static let noCPUs = Code("noCPUs")
        /// A value of the wrong type or out of range (a zero thread count, a negative pool size, ...).
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// A key in a configuration file that Loom does not know.
        public static let unknownKey = Code("unknownKey")
        /// A required configuration file that does not exist.
        public static let fileNotFound = Code("fileNotFound")
        /// A configuration file that exists but cannot be read.
        public static let unreadableFile = Code("unreadableFile")
        /// A configuration file that is not valid TOML, YAML or JSON, or has an unsupported extension.
        public static let malformedFile = Code("malformedFile")
        /// A CUDA device was asked for but no GPU information is available.
        public static let cudaUnavailable = Code("cudaUnavailable")
        /// The selected CUDA device does not exist (unknown UUID, ambiguous prefix, ordinal out of range).
        public static let cudaDeviceNotFound = Code("cudaDeviceNotFound")
        /// The CPUs local to the selected GPU do not overlap the CPUs this process may use.
        public static let cudaNoAllowedCPUs = Code("cudaNoAllowedCPUs")
        /// The operating system refused a request Loom needs (reading the affinity mask, creating a thread).
        public static let systemError = Code("systemError")

        public var description: String { self.name }
    }

    /// What went wrong.
    public let code: Code
    /// The configuration key the value was given for (`compute_threads`), when there is one.
    public let key: String?
    /// The offending value exactly as it was given, when there is one.
    public let value: String?
    /// Where the value came from (`environment variable LOOM_COMPUTE_THREADS`, `file /etc/app/loom.toml`,
    /// `flag --loom-cpuset`, `code (LoomBuilder.cpuset)`), when known.
    public let source: String?
    /// The reason alone, without the value, key and source (`expected a positive integer`).
    public let reason: String
    /// The full sentence: value, key, source and reason.
    public let description: String

    /// Creates an error whose message is exactly `description`.
    package init(
        _ code: Code,
        description: String,
        reason: String? = nil,
        key: String? = nil,
        value: String? = nil,
        source: String? = nil
    ) {
        self.code = code
        self.description = description
        self.reason = reason ?? description
        self.key = key
        self.value = value
        self.source = source
    }

    /// `Invalid value "<value>" for <key> (<source>): <reason>.`
    package static func invalidValue(
        _ code: Code = .invalidConfiguration,
        key: String,
        value: String,
        source: String,
        reason: String
    ) -> LoomError {
        LoomError(
            code,
            description: "Invalid value \"\(value)\" for \(key) (\(source)): \(reason.endingWithPeriod)",
            reason: reason,
            key: key,
            value: value,
            source: source
        )
    }

    /// The same error, re-attributed to a configuration key and source (used when a value that failed to
    /// parse on its own, such as a cpuset, turns out to have come from a file, variable or flag).
    package func attributed(toKey key: String, source: String) -> LoomError {
        .invalidValue(self.code, key: key, value: self.value ?? "", source: source, reason: self.reason)
    }
}

extension String {
    package var endingWithPeriod: String {
        if let last = self.last, ".!?".contains(last) { return self }
        return self + "."
    }
}
