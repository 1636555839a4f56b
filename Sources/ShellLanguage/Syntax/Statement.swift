import JSON

/// One statement of the shell language.
public enum Statement: Sendable, Equatable {
    /// `$name = value`.
    case assignment(name: String, location: SourceLocation, value: Expression)
    /// A line that is only `$name` or `$name.path`: print the value.
    case show(VariableReference)
    /// A line that is only a quoted string or number: print it.
    case value(Word)
    /// A command with its argument words: `get https://...`.
    case command(CommandInvocation)
}

/// The right-hand side of an assignment.
public enum Expression: Sendable, Equatable {
    /// A word: a string, a number, or a variable's value.
    case word(Word)
    /// A command whose result is stored: `$r = post ...`.
    case command(CommandInvocation)
}

/// A command name and its argument words.
public struct CommandInvocation: Sendable, Equatable {
    /// The command name, lower-cased (`armclient` prefixes already removed).
    public var name: String
    /// Where the command name starts.
    public var location: SourceLocation
    /// The arguments, unevaluated.
    public var arguments: [Word]

    public init(name: String, location: SourceLocation, arguments: [Word]) {
        self.name = name
        self.location = location
        self.arguments = arguments
    }
}
