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
}
