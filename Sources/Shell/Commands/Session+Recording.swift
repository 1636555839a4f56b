import ARM
import Cassettes
import Foundation
import HTTPCore
import JSON
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
}

extension Session {
    /// Writes the cassette being recorded, if any, and says so; used by `record stop` and at the
    /// end of the session.
    func finishRecording() throws(ShellError) {
        guard let recording, let recorder = recording.slot.recorder else { return }
        recording.slot.recorder = nil
        do {
            let count = try recorder.finish()
            output.err("Recorded \(counted(count, "interaction")) to \(recorder.file).\n")
        } catch {
            throw .cassette(error)
        }
    }

    /// Writes the cassette being recorded, if any, when the session ends; false when that failed
    /// (the error has been shown).
    public func endRecording() -> Bool {
        do {
            try finishRecording()
            return true
        } catch {
            report(error, line: nil)
            return false
        }
    }

    /// `record start FILE | stop | status`.
    func record(_ invocation: CommandInvocation) throws -> CommandResult {
        let usage = "record start FILE [--anonymize] | record stop | record status"
        let evaluator = Evaluator(variables: variables)
        let parsed = try RecordOption.parse(invocation.arguments, command: "record")
        let words = try parsed.positional.map { try evaluator.string($0) }
        var anonymize = false
        for (option, _, _) in parsed.options {
            switch option {
            case .anonymize: anonymize = true
            }
        }
        guard let actionWord = words.first?.lowercased() else { throw ShellError.missingArgument(command: "record", what: "start, stop or status", usage: usage) }
        guard let recording else { throw ShellError.recordingUnavailable }
        guard let action = RecordAction(rawValue: actionWord) else {
            throw ShellError.unknownOption(command: "record", option: actionWord, suggestion: Suggestion.closest(to: actionWord, in: RecordAction.allCases.map(\.rawValue)))
        }
        // --anonymize goes with start only.
        if action != .start, anonymize {
            throw ShellError.tooManyArguments(command: "record", extra: "--anonymize", usage: usage)
        }
        let allowed = action == .start ? 2 : 1
        if words.count > allowed {
            throw ShellError.tooManyArguments(command: "record", extra: words[allowed], usage: usage)
        }
        switch action {
        case .start:
            guard words.count == 2 else { throw ShellError.missingArgument(command: "record", what: "the cassette file", usage: usage) }
            if let current = recording.slot.recorder { throw ShellError.alreadyRecording(current.file) }
            let path = resolvePath(words[1])
            do {
                recording.slot.recorder = try recording.makeRecorder(file: path, anonymizer: anonymize ? Anonymizer() : nil)
            } catch {
                throw ShellError.cassette(error)
            }
            output.err("Recording to \(words[1]); 'record stop' writes it.\n")
        case .stop:
            guard recording.slot.recorder != nil else { throw ShellError.notRecording }
            try finishRecording()
        case .status:
            if let recorder = recording.slot.recorder {
                output.out("Recording to \(recorder.file): \(counted(recorder.interactionCount, "interaction")) so far.\n")
            } else {
                output.out("Not recording.\n")
            }
        }
        return .none
    }
}

/// What `record` does.
private enum RecordAction: String, CaseIterable {
    case start, stop, status
}

extension Session {
    /// The cassette named by `--from`, or else the session's own (being recorded, or replayed),
    /// and the other arguments, evaluated.
    private func cassette(for command: String, from arguments: [Word]) throws -> (cassette: Cassette, words: [String]) {
        let evaluator = Evaluator(variables: variables)
        let parsed = try SharingOption.parse(arguments, command: command)
        let words = try parsed.positional.map { try evaluator.string($0) }
        var from: String?
        for (option, word, value) in parsed.options {
            switch option {
            case .from: from = try evaluator.string(value ?? word)
            }
        }
        return (try cassette(for: command, from: from), words)
    }

    private func cassette(for command: String, from path: String?) throws -> Cassette {
        if let path {
            do {
                return try Cassette.load(path: resolvePath(path), displayName: path)
            } catch {
                throw ShellError.cassette(error)
            }
        }
        guard let current = currentCassette?() else { throw ShellError.noCassette(command) }
        return current
    }

    /// `export har FILE [--from CASSETTE]`.
    func export(_ invocation: CommandInvocation) throws -> CommandResult {
        let usage = "export har FILE [--from CASSETTE]"
        let (cassette, words) = try cassette(for: "export", from: invocation.arguments)
        guard words.first?.lowercased() == "har" else {
            throw ShellError.missingArgument(command: "export", what: "the format (har)", usage: usage)
        }
        guard words.count == 2 else { throw ShellError.missingArgument(command: "export", what: "the HAR file", usage: usage) }
        let path = resolvePath(words[1])
        let text = JSONFormatter(indent: 2).format(cassette.har(creatorVersion: Self.version)) + "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw ShellError.cassette(.unwritable(file: words[1], reason: "cannot create it (is the folder writable?)"))
        }
        output.err("Wrote \(counted(cassette.interactions.count, "exchange")) to \(words[1]) (HAR 1.2, redacted).\n")
        return .none
    }

    /// `bundle DIR [--from CASSETTE]`.
    func bundle(_ invocation: CommandInvocation) throws -> CommandResult {
        let (cassette, words) = try cassette(for: "bundle", from: invocation.arguments)
        guard words.count == 1 else { throw ShellError.missingArgument(command: "bundle", what: "the folder", usage: "bundle DIR [--from CASSETTE]") }
        let path = resolvePath(words[0])
        do {
            let files = try BugReportBundle.write(cassette, to: path, nwshVersion: Self.version)
            output.err("Wrote a bug-report bundle to \(words[0]): \(files.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")).\n")
        } catch {
            throw ShellError.cassette(error)
        }
        return .none
    }

    /// `import SOURCE CASSETTE`: a HAR file or vcrpy YAML cassette becomes an nwsh cassette.
    func importCassette(_ invocation: CommandInvocation) throws -> CommandResult {
        let evaluator = Evaluator(variables: variables)
        let words = try invocation.arguments.map { try evaluator.string($0) }
        guard words.count == 2 else {
            throw ShellError.missingArgument(command: "import", what: words.isEmpty ? "the file to import" : "the cassette to write", usage: "import SOURCE CASSETTE")
        }
        do {
            let (cassette, format) = try CassetteImporter.load(path: resolvePath(words[0]), displayName: words[0])
            try CassetteRecorder.write(cassette, to: resolvePath(words[1]))
            output.err("Imported \(counted(cassette.interactions.count, "interaction")) from \(words[0]) (\(format.rawValue)) into \(words[1]); replay it with nwsh --replay \(words[1]).\n")
        } catch {
            throw ShellError.cassette(error)
        }
        return .none
    }

    /// nwsh's version, for cassettes, HAR files and bundles.
    static let version = NWSHVersion.number
}
