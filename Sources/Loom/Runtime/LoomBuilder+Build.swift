import CoreMetrics
import Logging
import LoomCompute
import LoomConfiguration
import LoomSystem

extension LoomBuilder {
    /// Resolves the configuration (see ``resolve()``), logs its warnings, and starts the runtime's threads.
    ///
    /// ```swift
    /// let runtime = try LoomBuilder()
    ///     .prefix("myapp")
    ///     .asyncThreads(2)
    ///     .computeThreads(6)
    ///     .build()
    /// ```
    ///
    /// - Returns: a running ``LoomRuntime``.
    /// - Throws: ``LoomError`` for every bad value (naming the key, its source and the value), and if a thread
    ///   cannot be started. Never traps on bad input.
    public func build() throws(LoomError) -> LoomRuntime {
        let configuration = try self.resolve()
        let logger = (self.runtimeLoggerBox as? Logger) ?? LoomRuntime.logger
        for warning in configuration.warnings {
            logger.warning("\(warning)", metadata: ["loom.runtime": "\(configuration.prefix)"])
        }
        return try LoomRuntime(
            configuration: configuration,
            logger: logger,
            metricsFactory: self.runtimeMetricsFactoryBox as? any MetricsFactory,
            threadHooks: self.threadHooks
        )
    }

    /// Sets the swift-metrics factory the runtime reports its statistics to (``LoomConfiguration/metricsInterval``).
    /// Default: the factory the application bootstrapped with `MetricsSystem.bootstrap` before ``build()``; with
    /// none, the runtime reports nothing. Libraries emit and applications bootstrap, so most programs need not call
    /// this; it is for a program that keeps several registries, and for tests.
    ///
    /// - Parameter factory: where the `loom_` series go.
    /// - Returns: a copy of the builder with the factory set.
    public func metricsFactory(_ factory: any MetricsFactory) -> LoomBuilder {
        self.with(\.runtimeMetricsFactoryBox, factory)
    }

    /// Sets the logger the runtime reports through: configuration warnings at ``build()``, the watchdog's reports
    /// (``watchdog(_:)``), misuse warnings. Default: a swift-log `Logger` labelled `loom`, which goes wherever the
    /// application bootstrapped `LoggingSystem`.
    ///
    /// - Parameter logger: the logger to use.
    /// - Returns: a copy of the builder with the logger set.
    public func logger(_ logger: Logger) -> LoomBuilder {
        self.with(\.runtimeLoggerBox, logger)
    }
}
