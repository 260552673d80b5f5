import LoomSystem

extension LoomConfiguration {
    /// Where a resolved configuration value came from.
    ///
    /// ``kind`` says which layer (`default`, `file`, `environment`, `code` or `cli`); ``description`` says exactly
    /// where, in the words error messages use: `file /etc/app/loom.toml`, `environment variable
    /// LOOM_COMPUTE_THREADS`, `flag --loom-compute-threads`, `code (LoomBuilder.computeThreads)` or
    /// `ConfigReader key loom.computeThreads`. Values read through a swift-configuration `ConfigReader` are of kind
    /// `code`: the application chose to hand them to Loom.
    public struct Source: Sendable, Hashable, CustomStringConvertible {
        /// The layer a value came from. The raw value is the word `loom info --json` prints in `sources`.
        public enum Kind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
            /// Loom's built-in default.
            case `default`
            /// A configuration file (`LoomBuilder.file(_:required:)` or `--loom-config`).
            case file
            /// An environment variable (`LoomBuilder.envPrefix(_:)`).
            case environment
            /// A `LoomBuilder` setter, or the application's `ConfigReader`.
            case code
            /// A command-line flag (`LoomBuilder.withCLIArgs(_:)`).
            case cli

            /// The raw value (`environment`).
            public var description: String { self.rawValue }
        }

        /// The layer the value came from.
        public let kind: Kind
        /// Exactly where the value came from, for example `environment variable LOOM_COMPUTE_THREADS`.
        public let description: String

        package init(kind: Kind, description: String) {
            self.kind = kind
            self.description = description
        }

        /// Loom's built-in default.
        package static let defaultValue = Source(kind: .default, description: "default")

        /// `file <path>`.
        package static func file(_ path: String) -> Source { Source(kind: .file, description: "file \(path)") }

        /// `environment variable <name>`.
        package static func environment(_ name: String) -> Source {
            Source(kind: .environment, description: "environment variable \(name)")
        }

        /// `code (LoomBuilder.<method>)`.
        package static func code(_ method: String) -> Source {
            Source(kind: .code, description: "code (LoomBuilder.\(method))")
        }

        /// `ConfigReader key <key>` (kind `code`).
        package static func configReader(_ key: String) -> Source {
            Source(kind: .code, description: "ConfigReader key \(key)")
        }

        /// `flag --<name>`.
        package static func flag(_ name: String) -> Source { Source(kind: .cli, description: "flag --\(name)") }
    }
}
