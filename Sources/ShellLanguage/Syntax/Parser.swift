import JSON

/// Turns script text into ``Statement``s.
public enum Parser {
    /// The first word that is accepted and ignored, so armclient snippets run unchanged.
    public static let ignoredPrefix = "armclient"

    /// Parses a script; `firstLine` numbers its first line in error messages.
    public static func parse(_ text: String, firstLine: Int = 1) throws(LanguageError) -> [Statement] {
        let tokens = try Lexer.tokenize(text, firstLine: firstLine)
        var statements: [Statement] = []
        var current: [Token] = []
        for token in tokens {
            if token == .separator {
                if !current.isEmpty { statements.append(try statement(from: current)) }
                current = []
            } else {
                current.append(token)
            }
        }
        if !current.isEmpty { statements.append(try statement(from: current)) }
        return statements
    }

    private static func statement(from tokens: [Token]) throws(LanguageError) -> Statement {
        guard case .word(let first) = tokens[0] else {
            if case .equals(let location) = tokens[0] { throw .misplacedEquals(at: location) }
            throw .misplacedEquals(at: SourceLocation(line: 1, column: 1))
        }
        if tokens.count >= 2, case .equals(let equalsLocation) = tokens[1] {
            guard let variable = first.soleVariable, variable.path.isEmpty else { throw .misplacedEquals(at: equalsLocation) }
            let rest = try words(tokens.dropFirst(2))
            guard let valueWord = rest.first else { throw .missingAssignmentValue(name: variable.name, at: equalsLocation) }
            if let command = command(from: rest) {
                return .assignment(name: variable.name, location: variable.location, value: .command(command))
            }
            guard rest.count == 1 else { throw .extraWordsInAssignment(name: variable.name, at: rest[1].location) }
            return .assignment(name: variable.name, location: variable.location, value: .word(valueWord))
        }
        let all = try words(tokens[...])
        if all.count == 1, let variable = first.soleVariable { return .show(variable) }
        if let command = command(from: all) { return .command(command) }
        if all.count == 1 { return .value(first) }
        throw .notACommand(word: first.literalText ?? first.soleVariable?.displayText ?? "…", at: first.location)
    }

    /// The words of a statement, rejecting a stray `=`.
    private static func words(_ tokens: ArraySlice<Token>) throws(LanguageError) -> [Word] {
        var result: [Word] = []
        for token in tokens {
            switch token {
            case .word(let word): result.append(word)
            case .equals(let location): throw .misplacedEquals(at: location)
            case .separator: break
            }
        }
        return result
    }

    /// A command invocation when the first word is a bare name that is not a number or a literal.
    private static func command(from words: [Word]) -> CommandInvocation? {
        var words = words[...]
        guard let first = words.first, first.isBare, var name = first.literalText, isCommandName(name) else { return nil }
        var location = first.location
        if name.lowercased() == ignoredPrefix, let next = words.dropFirst().first, next.isBare,
            let verb = next.literalText, isCommandName(verb)
        {
            words = words.dropFirst()
            name = verb
            location = next.location
        }
        return CommandInvocation(name: name.lowercased(), location: location, arguments: Array(words.dropFirst()))
    }

    private static func isCommandName(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter else { return false }
        return !["true", "false", "null"].contains(text)
    }
}
