import JSON

/// Everything that can be wrong with a line of nwsh before anything is sent.
///
/// The cases are structured values; ``description`` is the one place that turns them into the
/// sentences people see: what is wrong, where, and what to do next.
public enum LanguageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A `"` or `'` string that is not closed.
    case unterminatedString(quote: Character, at: SourceLocation)
    /// A here-string with no closing line.
    case unterminatedHereString(quote: Character, at: SourceLocation)
    /// Text after `@"` or `@'` on the same line.
    case textAfterHereStringOpener(at: SourceLocation)
    /// `${name` with no `}`.
    case unterminatedBraceVariable(at: SourceLocation)
    /// `${}`.
    case emptyVariableName(at: SourceLocation)
    /// `$(...)`, which nwsh does not evaluate.
    case subexpression(at: SourceLocation)
    /// An `=` that does not follow a variable at the start of a statement.
    case misplacedEquals(at: SourceLocation)
    /// `$x =` with nothing after it.
    case missingAssignmentValue(name: String, at: SourceLocation)
    /// `$x = a b` where `a` is not a command.
    case extraWordsInAssignment(name: String, at: SourceLocation)
    /// A statement that starts with something other than a command name or a variable.
    case notACommand(word: String, at: SourceLocation)
    /// `$name` that was never assigned.
    case undefinedVariable(name: String, at: SourceLocation, suggestion: String?)
    /// `$r.name` where the value has no such member.
    case noSuchMember(reference: String, member: String, available: [String], suggestion: String?, at: SourceLocation)
    /// `$r[5]` past the end.
    case indexOutOfRange(reference: String, index: Int, count: Int, at: SourceLocation)
    /// `.name` or `[n]` applied to a value that has no members or elements.
    case notNavigable(reference: String, step: String, kind: String, at: SourceLocation)
    /// A request body that is not JSON even when relaxed.
    /// JSON that does not parse; `beforeSending` for request bodies (the message says nothing was
    /// sent), false for JSON that was only read (`explain @file`).
    case invalidJSON(what: String, failure: JSONParser.Failure, beforeSending: Bool = true)

    public var description: String {
        switch self {
        case .unterminatedString(let quote, let location):
            return "The string starting at \(location) has no closing \(quote); add one."
        case .unterminatedHereString(let quote, let location):
            return "The here-string opened with @\(quote) at \(location) is not closed; end it with a line that starts with \(quote)@."
        case .textAfterHereStringOpener(let location):
            return
                "Unexpected text after a here-string opener at \(location); @\" or @' must end its line, with the text starting on the next line."
        case .unterminatedBraceVariable(let location):
            return "The variable reference ${ at \(location) has no closing }."
        case .emptyVariableName(let location):
            return "Empty variable name ${} at \(location)."
        case .subexpression(let location):
            return
                "A subexpression $(...) holds only a variable and its members here, as in $($vm.id) (at \(location)); for anything else, assign the value to a variable first and use $name."
        case .misplacedEquals(let location):
            return "Unexpected '=' at \(location); assignments look like $name = value."
        case .missingAssignmentValue(let name, let location):
            return "Nothing to assign to $\(name) at \(location); write $\(name) = \"text\", a number, $other, or a command such as get."
        case .extraWordsInAssignment(let name, let location):
            return "Too many words after $\(name) = at \(location); quote text that contains spaces, or start with a command such as get."
        case .notACommand(let word, let location):
            return "'\(word)' at \(location) is not a command; a statement starts with a command (see 'help') or $name."
        case .undefinedVariable(let name, let location, let suggestion):
            var message = "Variable $\(name) is not defined (at \(location))."
            if let suggestion {
                message += " Did you mean $\(suggestion)?"
            } else {
                message += " Assign it first: $\(name) = \"...\"; 'vars' lists the defined ones."
            }
            return message
        case .noSuchMember(let reference, let member, let available, let suggestion, let location):
            var message = "\(reference) has no member '\(member)' (at \(location))."
            if let suggestion { message += " Did you mean '\(suggestion)'?" }
            if !available.isEmpty {
                let shown = available.prefix(12).joined(separator: ", ")
                message += " Its members: \(shown)\(available.count > 12 ? ", …" : "")."
            }
            return message
        case .indexOutOfRange(let reference, let index, let count, let location):
            if count == 0 { return "Index [\(index)] is out of range for \(reference), which is empty (at \(location))." }
            return
                "Index [\(index)] is out of range for \(reference), which has \(count) element\(count == 1 ? "" : "s") (at \(location)); use 0 to \(count - 1), or -1 for the last."
        case .notNavigable(let reference, let step, let kind, let location):
            return "Cannot apply \(step) to \(reference), which is \(kind) (at \(location))."
        case .invalidJSON(let what, let failure, let beforeSending):
            return "The \(what) is not valid JSON: \(failure.reason) at \(failure.location) of the \(what)."
                + (beforeSending ? " Nothing was sent." : "")
        }
    }
}
