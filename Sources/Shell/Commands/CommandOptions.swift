import ShellLanguage

/// One option of a command, declared once: parsing, `help`, Tab completion and "did you mean"
/// all read it, so they cannot drift apart.
public struct OptionSpec: Sendable, Equatable {
    /// The name to write and to complete (`--header`).
    public var name: String
    /// Other spellings that are read the same (`-h`, armclient's `-header`); not completed.
    public var aliases: [String]
    /// What the value is called in help (`"Name: value"`); nil for a flag, which takes none.
    public var value: String?
    /// The words the value is one of, completed by Tab; empty when it can be anything. The
    /// command still checks the value itself, with its own message.
    public var choices: [String]
    /// One line for `help`.
    public var help: String

    public init(_ name: String, aliases: [String] = [], value: String? = nil, choices: [String] = [], help: String) {
        self.name = name
        self.aliases = aliases
        self.value = value
        self.choices = choices
        self.help = help
    }

    /// Whether `text` names this option, ignoring case as PowerShell does (`-NoWait`).
    func names(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered == name.lowercased() || aliases.contains { $0.lowercased() == lowered }
    }
}

/// The options of one command, as the cases of an enum: the command switches over them, so the
/// compiler checks that every declared option is handled.
protocol CommandOption: CaseIterable, Sendable {
    var spec: OptionSpec { get }
}

/// A command's arguments with its options picked out, still unevaluated (`$vm` stays an object).
struct ParsedArguments<Option: CommandOption> {
    /// The words that are not options or their values, in order.
    var positional: [Word] = []
    /// Each option given, in order: the word that named it, and its value word (nil for a flag).
    var options: [(option: Option, word: Word, value: Word?)] = []
}

extension CommandOption {
    /// The specs of every case, in declaration order.
    static var specs: [OptionSpec] { allCases.map(\.spec) }

    /// Picks the options out of `arguments`: a bare word that starts with `-` and is not a number
    /// (`-1` is a value) names an option, and an option that takes a value takes the next word.
    /// An unknown option, or one without its value, is an error naming `command`.
    static func parse(_ arguments: [Word], command: String) throws(ShellError) -> ParsedArguments<Self> {
        var parsed = ParsedArguments<Self>()
        var rest = arguments[...]
        while let word = rest.popFirst() {
            guard word.isBare, let text = word.literalText, text.hasPrefix("-"), text.count > 1, Double(text) == nil else {
                parsed.positional.append(word)
                continue
            }
            guard let option = allCases.first(where: { $0.spec.names(text) }) else {
                throw .unknownOption(command: command, option: text, suggestion: Suggestion.closest(to: text, in: specs.map(\.name)))
            }
            guard option.spec.value != nil else {
                parsed.options.append((option, word, nil))
                continue
            }
            guard let value = rest.popFirst() else { throw .missingOptionValue(command: command, option: text) }
            parsed.options.append((option, word, value))
        }
        return parsed
    }
}
