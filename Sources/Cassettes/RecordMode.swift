/// When to record and when to replay, with VCR's names.
public enum RecordMode: String, Sendable, CaseIterable {
    /// Replay only; a request the cassette lacks is an error.
    case none
    /// Record when the cassette does not exist, else replay.
    case once
    /// Replay what matches, send and record the rest.
    case newEpisodes = "new_episodes"
    /// Always record, replacing the cassette.
    case all

    /// The mode once it is known whether the cassette exists: `once` becomes `none` or `all`.
    public func resolved(cassetteExists: Bool) -> RecordMode {
        self == .once ? (cassetteExists ? .none : .all) : self
    }

    /// Whether a resolved mode reads the cassette: `none` always (a missing one is then an error),
    /// `new_episodes` when it exists.
    public func readsCassette(exists: Bool) -> Bool {
        self == .none || (self == .newEpisodes && exists)
    }
}
