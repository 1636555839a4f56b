import Cassettes
import Foundation
import HTTPCore

/// The one owner of a session's recorder: it makes the slot that the transport stack records into
/// and the session's output is journaled through, and starts and finishes recordings in it.
public struct RecordingContext: Sendable {
    /// Holds the recorder in use, if any; hand it to ``TransportStack``.
    public let slot = RecorderSlot()
    /// `sandbox`, or the endpoint recorded from.
    public let source: String
    /// The endpoint's base URL.
    public let endpointBase: String
    /// Called when writing fails mid-session.
    public let onFailure: @Sendable (CassetteError) -> Void
    /// The session's learned secrets, removed from everything recorded.
    public let secrets: SecretLedger
    /// The cloud the session is for, which its cassettes name (unless it is the public cloud).
    public let cloud: AzureCloud

    public init(
        source: String, endpointBase: String, cloud: AzureCloud = .azureCloud, secrets: SecretLedger = SecretLedger(),
        onFailure: @escaping @Sendable (CassetteError) -> Void
    ) {
        self.source = source
        self.endpointBase = endpointBase
        self.cloud = cloud
        self.secrets = secrets
        self.onFailure = onFailure
    }

    /// Starts recording to `file` (keeping `events` recorded before, for `new_episodes`), with this
    /// context's metadata.
    public func start(file: String, events: [Cassette.Event] = [], anonymizer: Anonymizer? = nil) throws(CassetteError) {
        var metadata = Cassette.Metadata(
            source: source, endpoint: source == "sandbox" ? "nwsh sandbox" : endpointBase, recordedWith: NWSHVersion.recordedWith,
            recordedAt: ISO8601DateFormatter().string(from: Date()),
            description: source == "sandbox"
                ? "Recorded from nwsh's built-in ARM sandbox\(cloud.isPublic ? "" : " standing in for \(cloud.displayName)"), not from Azure."
                : nil)
        metadata.cloud = cloud.isPublic ? nil : cloud.name
        slot.recorder = try CassetteRecorder(
            file: file, metadata: metadata, events: events, endpointBase: endpointBase, anonymizer: anonymizer, secrets: secrets,
            onFailure: onFailure)
    }

    /// The recorder in use; nil when not recording.
    public var recorder: CassetteRecorder? { slot.recorder }

    /// The cassette recorded so far, if recording (`export`, `bundle`).
    public var snapshot: Cassette? { slot.recorder?.snapshot }

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
