extension Duration {
    /// The duration in seconds, as a `Double`: how exchanges are timed and recorded.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
