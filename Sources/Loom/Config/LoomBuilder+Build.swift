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
        let logger = self.runtimeLogger ?? LoomRuntime.logger
        for warning in configuration.warnings { logger.warning("\(warning)") }
        return try LoomRuntime(configuration: configuration, logger: logger)
    }
}
