import ARM
import Cassettes
import Foundation
import ShellLanguage

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

    public init(slot: RecorderSlot, source: String, endpointBase: String, onFailure: @escaping @Sendable (CassetteError) -> Void) {
        self.slot = slot
        self.source = source
        self.endpointBase = endpointBase
        self.onFailure = onFailure
    }

    /// Starts a recorder for `file`, with this context's metadata.
    public func makeRecorder(file: String, events: [Cassette.Event] = []) throws(CassetteError) -> CassetteRecorder {
        let metadata = Cassette.Metadata(
            source: source, endpoint: source == "sandbox" ? "nwsh sandbox" : endpointBase, recordedWith: "nwsh 0.1",
            recordedAt: ISO8601DateFormatter().string(from: Date()),
            description: source == "sandbox" ? "Recorded from nwsh's built-in ARM sandbox, not from Azure." : nil)
        return try CassetteRecorder(file: file, metadata: metadata, events: events, endpointBase: endpointBase, onFailure: onFailure)
    }
}

extension Session {
    /// `record start FILE | stop | status`.
    func record(_ invocation: CommandInvocation) throws -> CommandResult {
        let usage = "record start FILE | record stop | record status"
        let evaluator = Evaluator(variables: variables)
        let words = try invocation.arguments.map { try evaluator.string($0) }
        guard let action = words.first?.lowercased() else { throw ShellError.missingArgument(command: "record", what: "start, stop or status", usage: usage) }
        guard let recording else { throw ShellError.recordingUnavailable }
        switch action {
        case "start":
            guard words.count == 2 else { throw ShellError.missingArgument(command: "record", what: "the cassette file", usage: usage) }
            if let current = recording.slot.recorder { throw ShellError.alreadyRecording(current.file) }
            let path = words[1].hasPrefix("/") ? words[1] : workingDirectory + "/" + words[1]
            do {
                recording.slot.recorder = try recording.makeRecorder(file: path)
            } catch {
                throw ShellError.cassette(error)
            }
            output.err("Recording to \(words[1]); 'record stop' writes it.\n")
        case "stop":
            guard let recorder = recording.slot.recorder else { throw ShellError.notRecording }
            recording.slot.recorder = nil
            do {
                let count = try recorder.finish()
                output.err("Recorded \(count) interaction\(count == 1 ? "" : "s") to \(recorder.file).\n")
            } catch {
                throw ShellError.cassette(error)
            }
        case "status":
            if let recorder = recording.slot.recorder {
                output.out("Recording to \(recorder.file): \(recorder.interactionCount) interaction\(recorder.interactionCount == 1 ? "" : "s") so far.\n")
            } else {
                output.out("Not recording.\n")
            }
        default:
            throw ShellError.unknownOption(command: "record", option: action, suggestion: Suggestion.closest(to: action, in: ["start", "stop", "status"]))
        }
        return .none
    }
}
