import LoomSystem

#if SwiftConfiguration
import Configuration

extension LoomBuilder {
    /// Reads Loom's keys under `loom.` from your swift-configuration reader (`loom.computeThreads` or
    /// `loom.compute_threads`, and so on for every key), between the environment and the setters in precedence.
    /// Their source is reported as `code` (`ConfigReader key loom.computeThreads`).
    ///
    /// Available with the package trait `SwiftConfiguration` (on by default).
    ///
    /// - Parameter reader: the application's reader; Loom scopes it to `loom` itself.
    /// - Returns: a copy of the builder that reads it (replacing a reader given before).
    public func configReader(_ reader: ConfigReader) -> LoomBuilder {
        self.with(\.readerSettings) { ConfigLayer.readConfigReader(reader) }
    }
}

extension ConfigLayer {
    /// Reads Loom's keys under `loom.` from an application's swift-configuration reader.
    ///
    /// Each key (and alias) is looked up in camelCase first (`loom.computeThreads`, the spelling
    /// swift-configuration maps to `LOOM_COMPUTE_THREADS` and `--loom-compute-threads`), then in snake_case
    /// (`loom.compute_threads`, the spelling of a Loom configuration file nested under `loom`); a key with "cpus" in it
    /// also in the builder's spelling (`loom.shareAsyncCPUs` before `loom.shareAsyncCpus`). Values keep the
    /// type the provider gives; text from string-only providers (environment variables) is read as Loom reads the
    /// environment. The values' source is ``LoomConfiguration/Source/Kind/code``, described as
    /// `ConfigReader key loom.computeThreads`.
    package static func readConfigReader(_ reader: ConfigReader) -> [RawSetting] {
        let scoped = reader.scoped(to: ConfigKey(["loom"]))
        var settings: [RawSetting] = []
        for key in LoomConfiguration.Key.allCases {
            for spelling in key.spellings {
                let camel = spelling.snakeToCamelCase
                // `shareAsyncCPUs` (the builder's spelling) and `shareAsyncCpus` (the mechanical one) both work.
                let acronym = camel.split(separator: "Cpus", omittingEmptySubsequences: false).joined(separator: "CPUs")
                let names =
                    camel == spelling ? [spelling] : acronym == camel ? [camel, spelling] : [acronym, camel, spelling]
                for name in names {
                    guard let value = Self.lookUp(name, for: key, in: scoped) else { continue }
                    settings.append(
                        RawSetting(key: key, spelling: spelling, value: value, source: .configReader("loom.\(name)"))
                    )
                    break
                }
            }
        }
        return settings
    }

    /// The value under `name`, asked for in the type the key expects first, then in the other types (so that a
    /// value of the wrong type is reported rather than ignored).
    private static func lookUp(
        _ name: String,
        for key: LoomConfiguration.Key,
        in reader: ConfigReader
    ) -> RawSetting.Value? {
        let configKey = ConfigKey([name])
        let integer = { reader.int(forKey: configKey).map(RawSetting.Value.integer) }
        let text = { reader.string(forKey: configKey).map(RawSetting.Value.text) }
        let boolean = { reader.bool(forKey: configKey).map(RawSetting.Value.boolean) }
        let number = { reader.double(forKey: configKey).map(RawSetting.Value.number) }
        let order: [() -> RawSetting.Value?]
        switch key {
        case .asyncThreads, .computeThreads, .blockingThreads, .computePoolSize, .cudaDevice:
            order = [integer, text, boolean, number]
        case .pinThreads, .statistics, .shareAsyncCPUs: order = [boolean, text, integer, number]
        case .prefix, .cpuset, .console: order = [text, integer, boolean, number]
        case .watchdog, .metricsInterval: order = [number, integer, text, boolean]
        }
        for attempt in order {
            if let value = attempt() { return value }
        }
        return nil
    }
}
#endif
