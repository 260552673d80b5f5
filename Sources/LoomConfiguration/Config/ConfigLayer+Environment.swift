import LoomSystem

extension ConfigLayer {
    /// Environment variables that carry Loom's prefix and that the library reads, but that are not configuration
    /// keys; they never draw an "unknown variable" warning: `LOOM_SYSFS_ROOT` (where sysfs is, for containers and
    /// tests) and `LOOM_NVML_LIBRARY` (which NVML to load).
    package static let nonKeyEnvironmentVariables: Set<String> = ["LOOM_SYSFS_ROOT", "LOOM_NVML_LIBRARY"]

    /// The environment variable for a key spelling: `LOOM` + `compute_threads` -> `LOOM_COMPUTE_THREADS`.
    package static func environmentVariable(prefix: String, spelling: String) -> String {
        let prefix = Self.normalizedEnvironmentPrefix(prefix)
        return prefix.isEmpty ? spelling.uppercased() : "\(prefix)_\(spelling.uppercased())"
    }

    /// `LOOM_` and `LOOM` both mean the variables `LOOM_*`.
    private static func normalizedEnvironmentPrefix(_ prefix: String) -> String {
        var prefix = prefix
        while prefix.hasSuffix("_") { prefix.removeLast() }
        return prefix
    }

    /// Reads `{PREFIX}_{KEY}` variables (and the aliases `{PREFIX}_TOKIO_THREADS`, `{PREFIX}_RAYON_THREADS`).
    ///
    /// Values are text: integers in decimal, booleans as `true/false/1/0/yes/no/on/off` in any case. A variable
    /// that carries the prefix but names no key is not an error (other tools may share the prefix); it is
    /// returned as a warning with the closest variable Loom knows, except the documented non-key variables
    /// ``nonKeyEnvironmentVariables``.
    ///
    /// - Returns: the raw settings and the warnings, both in variable-name order.
    package static func readEnvironment(
        _ environment: [String: String],
        prefix: String
    ) throws(LoomError) -> (settings: [RawSetting], warnings: [String]) {
        var known: [String: (key: LoomConfiguration.Key, spelling: String)] = [:]
        for key in LoomConfiguration.Key.allCases {
            for spelling in key.spellings {
                known[Self.environmentVariable(prefix: prefix, spelling: spelling)] = (key, spelling)
            }
        }
        let normalized = Self.normalizedEnvironmentPrefix(prefix)
        var settings: [RawSetting] = []
        var warnings: [String] = []
        let loomRS = Dictionary(
            uniqueKeysWithValues: LoomRSKeys.names.map { (Self.environmentVariable(prefix: prefix, spelling: $0), $0) }
        )
        let asyncThreadsSet = environment.keys.contains { known[$0]?.key == .asyncThreads }
        for name in environment.keys.sorted() {
            let value = environment[name]!
            if let spelling = loomRS[name] {
                let (mapped, warning) = try LoomRSKeys.interpret(
                    spelling,
                    .text(value),
                    source: .environment(name),
                    asyncThreadsSet: asyncThreadsSet
                )
                settings += mapped
                warnings += warning.map { [$0] } ?? []
            } else if let (key, spelling) = known[name] {
                settings.append(
                    RawSetting(key: key, spelling: spelling, value: .text(value), source: .environment(name))
                )
            } else if !normalized.isEmpty, name.hasPrefix(normalized + "_"),
                !Self.nonKeyEnvironmentVariables.contains(name)
            {
                warnings.append(Self.unknownVariableWarning(name, known: known.keys.sorted()))
            }
        }
        return (settings, warnings)
    }

    private static func unknownVariableWarning(_ name: String, known: [String]) -> String {
        let start = "Environment variable \(name) is not a Loom setting and is ignored"
        if let suggestion = Suggestion.closest(to: name, among: known) {
            return "\(start); did you mean \(suggestion)?"
        }
        return "\(start) (Loom reads \(known.joined(separator: ", ")))."
    }
}
