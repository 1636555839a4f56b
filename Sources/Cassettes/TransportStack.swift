import HTTPCore

/// The transports a session's requests go through, stacked for what the session does with its
/// cassette: replay only (nothing reaches the network), or send and record, replaying first what
/// the cassette already holds (`new_episodes`).
public struct TransportStack: Sendable {
    /// What the session does with the network and its cassette.
    public enum Layers: Sendable {
        /// Answer every request from the cassette; nothing is sent.
        case replayOnly(Cassette, file: String)
        /// Send and record into the slot; with a cassette, answer what it holds first.
        case record(into: RecorderSlot, replayingFirst: (cassette: Cassette, file: String)?)
    }

    /// What the ARM client sends through.
    public let transport: HTTPTransport
    /// What sign-in sends its token requests through: the recording layer, so a recording holds
    /// them (redacted), never answered from a cassette; the replaying one when nothing is sent.
    public let signIn: HTTPTransport
    /// The replaying layer when nothing is sent; `--rerun` gives it its allowances.
    public let replayOnly: ReplayTransport?

    /// - Parameters:
    ///   - live: the network.
    ///   - secrets: the session's learned secrets, for redaction on both sides.
    public init(live: HTTPTransport, layers: Layers, secrets: SecretLedger) {
        switch layers {
        case .replayOnly(let cassette, let file):
            let replay = ReplayTransport(cassette: cassette, file: file, secrets: secrets)
            (transport, signIn, replayOnly) = (replay, replay, replay)
        case .record(let slot, let first):
            let recording = RecordingTransport(wrapping: live, slot: slot, secrets: secrets)
            signIn = recording
            replayOnly = nil
            transport =
                first.map { ReplayTransport(cassette: $0.cassette, file: $0.file, fallback: recording, secrets: secrets) } ?? recording
        }
    }
}
