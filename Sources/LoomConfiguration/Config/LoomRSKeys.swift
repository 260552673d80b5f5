import LoomSystem

/// Keys of loom-rs 0.4 and 0.5 that Loom has no setting for, accepted so that their configuration files (and
/// `LOOM_*` variables) load unchanged.
///
/// | key | loom-rs | Loom |
/// |---|---|---|
/// | `tokio_flavor` | `"multi_thread"` (default) or `"current_thread"` | `multi_thread`: nothing to do, silently. `current_thread`: one async thread (`async_threads = 1`) unless the same source sets `async_threads`/`tokio_threads`, with a warning either way |
/// | `mab_knobs` | the table of its adaptive inline-or-offload scheduler | ignored, with a warning: `spawnCompute` always runs on the compute pool |
/// | `calibration` | a table loom-rs stores and never uses | ignored, with a warning |
///
/// A value of the wrong shape (a flavor that is neither, a `mab_knobs` that is not a table in a file) is a
/// ``LoomError`` naming the key, the value and the source, as for Loom's own keys.
package enum LoomRSKeys {
    /// The spellings handled here.
    package static let names: Set<String> = ["tokio_flavor", "mab_knobs", "calibration"]

    /// What one loom-rs-only entry becomes: the settings it maps to (none, or `async_threads = 1`) and the warning
    /// to report, if any.
    ///
    /// - Parameters:
    ///   - name: the key as written (one of ``names``).
    ///   - value: its value as the source typed it.
    ///   - source: where it came from.
    ///   - asyncThreadsSet: whether the same source also sets `async_threads` or `tokio_threads`.
    package static func interpret(
        _ name: String,
        _ value: RawSetting.Value,
        source: LoomConfiguration.Source,
        asyncThreadsSet: Bool
    ) throws(LoomError) -> (settings: [RawSetting], warning: String?) {
        switch name {
        case "tokio_flavor":
            let text: String
            switch value {
            case .string(let string), .text(let string): text = string
            default: throw Self.invalid(name, value, source, "expected \"multi_thread\" or \"current_thread\"")
            }
            switch text.lowercased().replacingUnderscores {
            case "multithread":
                return ([], nil)
            case "currentthread":
                if asyncThreadsSet {
                    return (
                        [],
                        "tokio_flavor = \"current_thread\" (\(source)) is a loom-rs setting; Loom's async pool is always "
                            + "a multi-threaded executor, and the async_threads given beside it decides its size."
                    )
                }
                let setting = RawSetting(
                    key: .asyncThreads,
                    spelling: "async_threads",
                    value: .integer(1),
                    source: source
                )
                return (
                    [setting],
                    "tokio_flavor = \"current_thread\" (\(source)) is a loom-rs setting; Loom runs one async thread for it "
                        + "(async_threads = 1)."
                )
            default:
                throw Self.invalid(name, value, source, "expected \"multi_thread\" or \"current_thread\"")
            }
        case "mab_knobs":
            try Self.requireTable(name, value, source)
            return (
                [],
                "mab_knobs (\(source)) is a loom-rs setting and is ignored: loom-rs uses it to choose between running "
                    + "work inline and offloading it; Loom always runs spawnCompute work on the compute pool."
            )
        default:  // calibration
            try Self.requireTable(name, value, source)
            return (
                [],
                "calibration (\(source)) is a loom-rs setting and is ignored: loom-rs stores it without using it, and "
                    + "Loom has no adaptive scheduler to calibrate."
            )
        }
    }

    /// Files must give a table (a TOML table, a YAML mapping, a JSON object), as loom-rs requires; text (an
    /// environment variable) cannot be one and is taken as is.
    private static func requireTable(
        _ name: String,
        _ value: RawSetting.Value,
        _ source: LoomConfiguration.Source
    ) throws(LoomError) {
        switch value {
        case .text: return
        case .other(let type, _) where ["a table", "a mapping", "an object"].contains(type): return
        default: throw Self.invalid(name, value, source, "expected a table, found \(value.typeName)")
        }
    }

    private static func invalid(
        _ name: String,
        _ value: RawSetting.Value,
        _ source: LoomConfiguration.Source,
        _ reason: String
    ) -> LoomError {
        LoomError.invalidValue(key: name, value: value.text, source: "\(source)", reason: reason)
    }
}

extension String {
    fileprivate var replacingUnderscores: String { self.filter { $0 != "_" && $0 != "-" } }
}
