import Cassettes
import ShellLanguage

/// The options of `export` and `bundle`.
enum SharingOption: CommandOption {
    case from

    var spec: OptionSpec {
        switch self {
        case .from: OptionSpec("--from", value: "CASSETTE", help: "the cassette to use instead of the session's own")
        }
    }
}

/// The cassette `export` and `bundle` read: the one `--from` names, or else the session's own
/// (being recorded, or replayed).
enum SharedCassette {
    /// The cassette, and the other arguments, evaluated. The cassette is found first, as before
    /// the arguments are checked: a session with none says so whatever else is missing.
    static func arguments(
        _ arguments: [Word], for command: CommandSpec, in session: isolated Session
    ) throws -> (cassette: Cassette, words: [String]) {
        let evaluator = Evaluator(variables: session.variables)
        let parsed = try SharingOption.parse(arguments, command: command.name)
        var from: String?
        for (option, word, value) in parsed.options {
            switch option {
            case .from: from = try evaluator.string(value ?? word)
            }
        }
        let words = try parsed.positional.map { try evaluator.string($0) }
        if let from {
            do {
                return (try Cassette.load(path: session.directory.resolve(from), displayName: from), words)
            } catch {
                throw ShellError.cassette(error)
            }
        }
        guard let current = session.currentCassette?() else { throw ShellError.noCassette(command.name) }
        return (current, words)
    }
}
