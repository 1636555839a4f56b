import Cassettes
import ShellLanguage

/// `record start FILE [--anonymize] | record stop | record status`.
struct RecordCommand: ShellCommand {
    let spec = CommandSpec(
        name: "record", usage: "record start FILE [--anonymize] | record stop | record status", summary: "record the session to a cassette",
        detail: """
              Records every command and HTTP exchange, redacted (tokens, secrets, SAS signatures and keys
              never reach the file), to FILE; 'record stop' writes it. nwsh --record FILE records a whole
              session; nwsh --replay FILE answers from it offline. See docs/cassette-format.md.
              --anonymize also replaces subscription and tenant IDs with stable placeholders.
            """,
        optionSpecs: RecordOption.specs, keywords: RecordAction.allCases.map(\.rawValue))

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let evaluator = Evaluator(variables: session.variables)
        let parsed = try RecordOption.parse(arguments, command: spec.name)
        let words = try parsed.positional.map { try evaluator.string($0) }
        var anonymize = false
        for (option, _, _) in parsed.options {
            switch option {
            case .anonymize: anonymize = true
            }
        }
        guard let actionWord = words.first?.lowercased() else { throw spec.missing("start, stop or status") }
        guard let recording = session.recording else { throw ShellError.recordingUnavailable }
        guard let action = RecordAction(rawValue: actionWord) else {
            throw ShellError.unknownOption(
                command: spec.name, option: actionWord,
                suggestion: Suggestion.closest(to: actionWord, in: RecordAction.allCases.map(\.rawValue)))
        }
        // --anonymize goes with start only.
        if action != .start, anonymize { throw spec.unexpected("--anonymize") }
        let allowed = action == .start ? 2 : 1
        if words.count > allowed { throw spec.unexpected(words[allowed]) }
        switch action {
        case .start:
            guard words.count == 2 else { throw spec.missing("the cassette file") }
            if let current = recording.recorder { throw ShellError.alreadyRecording(current.file) }
            let path = session.directory.resolve(words[1])
            do {
                try recording.start(file: path, anonymizer: anonymize ? Anonymizer() : nil)
            } catch {
                throw ShellError.cassette(error)
            }
            session.output.err("Recording to \(words[1]); 'record stop' writes it.\n")
        case .stop:
            guard recording.recorder != nil else { throw ShellError.notRecording }
            try recording.finish(output: session.output)
        case .status:
            if let recorder = recording.recorder {
                session.output.out("Recording to \(recorder.file): \(counted(recorder.interactionCount, "interaction")) so far.\n")
            } else {
                session.output.out("Not recording.\n")
            }
        }
        return .none
    }
}

/// What `record` does.
private enum RecordAction: String, CaseIterable {
    case start, stop, status
}

/// The options of `record`.
enum RecordOption: CommandOption {
    case anonymize

    var spec: OptionSpec {
        switch self {
        case .anonymize: OptionSpec("--anonymize", help: "record start: replace subscription and tenant IDs with stable placeholders")
        }
    }
}
