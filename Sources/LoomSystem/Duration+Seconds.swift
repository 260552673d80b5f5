extension Duration {
    /// The duration in seconds, as a `Double` (for reports, configuration values and timeouts).
    package var inSeconds: Double {
        Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18
    }
}
