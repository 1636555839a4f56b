import Cassettes
import Foundation
import HTTPCore

/// What a session needs to start and stop recordings.
public struct RecordingContext: Sendable {
    /// The recorder in use; the session's transport records into it.
    public let slot: RecorderSlot
    /// `sandbox`, or the endpoint recorded from.
    public let source: String
    /// The endpoint's base URL.
    public let endpointBase: String
    /// Called when writing fails mid-session.
    public let onFailure: @Sendable (CassetteError) -> Void
    /// The session's learned secrets, removed from everything recorded.
    public let secrets: SecretLedger

    public init(
        slot: RecorderSlot, source: String, endpointBase: String, secrets: SecretLedger = SecretLedger(),
        onFailure: @escaping @Sendable (CassetteError) -> Void
    ) {
        self.slot = slot
        self.source = source
        self.endpointBase = endpointBase
        self.secrets = secrets
        self.onFailure = onFailure
    }

    /// Starts a recorder for `file`, with this context's metadata.
    public func makeRecorder(file: String, events: [Cassette.Event] = [], anonymizer: Anonymizer? = nil) throws(CassetteError) -> CassetteRecorder {
        let metadata = Cassette.Metadata(
            source: source, endpoint: source == "sandbox" ? "nwsh sandbox" : endpointBase, recordedWith: NWSHVersion.recordedWith,
            recordedAt: ISO8601DateFormatter().string(from: Date()),
            description: source == "sandbox" ? "Recorded from nwsh's built-in ARM sandbox, not from Azure." : nil)
        return try CassetteRecorder(file: file, metadata: metadata, events: events, endpointBase: endpointBase, anonymizer: anonymizer, secrets: secrets, onFailure: onFailure)
    }

    /// Writes the cassette being recorded, if any, and says so on `output`; used by `record stop`
    /// and at the end of the session.
    func finish(output: OutputSink) throws(ShellError) {
        guard let recorder = slot.recorder else { return }
        slot.recorder = nil
        do {
            let count = try recorder.finish()
            output.err("Recorded \(counted(count, "interaction")) to \(recorder.file).\n")
        } catch {
            throw .cassette(error)
        }
    }
}
