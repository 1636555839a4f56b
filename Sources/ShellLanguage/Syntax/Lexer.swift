import JSON

/// A token of the shell language.
public enum Token: Sendable, Equatable {
    case word(Word)
    /// `=` after a leading variable.
    case equals(SourceLocation)
    /// End of a statement: a newline or `;`.
    case separator
}

/// Splits script text into words, following PowerShell's quoting rules closely enough that the
/// connection-troubleshoot page's snippets lex as PowerShell would lex them.
///
/// - `"..."` and bare words interpolate `$name`, `${name}`, `$env:NAME` and `$($name.path)`; `'...'` is literal
///   (`''` is a quote); in double quotes a backtick escapes (`` `n ``, `` `" ``, `` `$ ``) and `""` is a quote.
/// - `@"` / `@'` at the end of a line open a here-string that ends at a line starting with `"@` / `'@`.
/// - `#` at the start of a word comments out the rest of the line; `;` and newlines end statements;
///   a backtick at the end of a line continues it.
/// - A bare word that starts with a variable may continue with a member path: `$r.hops[2].issues`.
public struct Lexer {
    /// Unicode scalars, not Characters: comparing scalars is an integer compare, and lexing is on the
    /// path of every statement a script runs. Columns in messages count scalars.
    private let characters: [Unicode.Scalar]
    private var index = 0
    private var line: Int
    private var column = 1
    private var tokens: [Token] = []
    /// Whether the current statement so far is a single variable word, so `=` is an assignment.
    private var wordsInStatement = 0

    /// Creates a lexer; `firstLine` numbers the first line of `text` in error messages.
    public init(_ text: String, firstLine: Int = 1) {
        // Swift treats "\r\n" as one Character; scripts saved on Windows read as if they used "\n".
        var scalars: [Unicode.Scalar] = []
        let text = text.replacingCRLF()
        scalars.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { scalars.append(scalar) }
        self.characters = scalars
        self.line = firstLine
    }

    /// Lexes the text into tokens.
    public static func tokenize(_ text: String, firstLine: Int = 1) throws(LanguageError) -> [Token] {
        var lexer = Lexer(text, firstLine: firstLine)
        return try lexer.run()
    }

    /// Whether `text` is an unfinished statement that more lines would complete: an open
    /// here-string, an open string or a trailing backtick. The REPL shows a continuation prompt then.
    public static func needsMoreInput(_ text: String) -> Bool {
        if text.hasSuffix("`") { return true }
        // Only quotes can leave a statement open: most lines need no lexing here.
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") }) { return false }
        do {
            _ = try tokenize(text)
            return false
        } catch {
            switch error {
            case .unterminatedHereString, .unterminatedString: return true
            default: return false
            }
        }
    }

    private var current: Unicode.Scalar? { index < characters.count ? characters[index] : nil }
    private func peek(_ offset: Int = 1) -> Unicode.Scalar? {
        index + offset < characters.count ? characters[index + offset] : nil
    }
    private var location: SourceLocation { SourceLocation(line: line, column: column) }

    private mutating func advance() {
        guard let character = current else { return }
        index += 1
        if character == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
    }

    private mutating func run() throws(LanguageError) -> [Token] {
        while let character = current {
            switch character {
            case " ", "\t", "\r":
                advance()
            case "\n", ";":
                advance()
                endStatement()
            case "#":
                while let next = current, next != "\n" { advance() }
            case "`" where continuesLine:
                advance()
                if current == "\r" { advance() }
                advance()
            case "=" where isAssignmentPosition:
                tokens.append(.equals(location))
                advance()
                wordsInStatement += 1
            case "@" where peek() == "\"" || peek() == "'":
                try lexHereString()
            default:
                try lexWord()
            }
        }
        endStatement()
        return tokens
    }

    /// Whether the current character is a backtick that ends its line (before `\n` or `\r\n`),
    /// which continues the statement on the next line.
    private var continuesLine: Bool {
        current == "`" && (peek() == "\n" || (peek() == "\r" && peek(2) == "\n"))
    }

    private var isAssignmentPosition: Bool {
        guard wordsInStatement == 1, case .word(let word)? = tokens.last, word.soleVariable != nil else { return false }
        return true
    }

    private mutating func endStatement() {
        if wordsInStatement > 0, tokens.last != .separator { tokens.append(.separator) }
        wordsInStatement = 0
    }

    private mutating func lexHereString() throws(LanguageError) {
        let start = location
        advance()
        guard let quote = current else { return }
        advance()
        while current == " " || current == "\t" || current == "\r" { advance() }
        if current == nil { throw .unterminatedHereString(quote: Character(quote), at: start) }
        guard current == "\n" else { throw .textAfterHereStringOpener(at: location) }
        advance()
        var parts: [Word.Part] = []
        var literal = ""
        var atLineStart = true
        while true {
            guard let character = current else { throw .unterminatedHereString(quote: Character(quote), at: start) }
            if atLineStart, character == quote, peek() == "@" {
                advance()
                advance()
                break
            }
            if character == "\n" {
                advance()
                // The newline before the closing line is not part of the text.
                if !(current == quote && peek() == "@") { literal.unicodeScalars.append(character) }
                atLineStart = true
                continue
            }
            atLineStart = false
            if quote == "\"", character == "$" {
                if let reference = try lexVariable(allowPath: false) {
                    flush(&literal, into: &parts)
                    parts.append(.variable(reference))
                    continue
                }
            }
            if quote == "\"", character == "`", let escaped = peek() {
                advance()
                advance()
                literal.unicodeScalars.append(Self.backtickEscape(escaped))
                continue
            }
            literal.unicodeScalars.append(character)
            advance()
        }
        if literal.hasSuffix("\r") { literal.removeLast() }
        flush(&literal, into: &parts)
        appendWord(Word(parts: parts, quoting: quote == "\"" ? .hereDouble : .hereSingle, location: start))
    }

    private mutating func lexWord() throws(LanguageError) {
        let start = location
        var parts: [Word.Part] = []
        var literal = ""
        var quoting: Word.Quoting?
        while let character = current {
            switch character {
            case " ", "\t", "\r", "\n", ";":
                flush(&literal, into: &parts)
                appendWord(Word(parts: parts, quoting: quoting ?? .bare, location: start))
                return
            case "`" where continuesLine:
                // A backtick ending the line continues the statement; the run loop skips it. The
                // two must agree on what ends a line: a word that stopped at a backtick the run
                // loop did not skip would be lexed again, forever (found by fuzzing: "`\r\r").
                flush(&literal, into: &parts)
                appendWord(Word(parts: parts, quoting: quoting ?? .bare, location: start))
                return
            case "'":
                if quoting == nil { quoting = .single }
                try lexSingleQuoted(into: &literal)
            case "\"":
                if quoting == nil { quoting = .double }
                try lexDoubleQuoted(into: &parts, literal: &literal)
            case "$":
                let isWordStart = parts.isEmpty && literal.isEmpty && quoting == nil
                if let reference = try lexVariable(allowPath: isWordStart) {
                    if quoting == nil { quoting = .bare }
                    flush(&literal, into: &parts)
                    parts.append(.variable(reference))
                } else {
                    literal.append("$")
                    advance()
                }
            case "=" where isAssignmentPositionInsideWord(parts: parts, literal: literal):
                flush(&literal, into: &parts)
                appendWord(Word(parts: parts, quoting: quoting ?? .bare, location: start))
                return
            default:
                if quoting == nil { quoting = .bare }
                // Take the whole run of ordinary characters at once (URLs are long); a run has no
                // line breaks, so only the column moves.
                var end = index + 1
                while end < characters.count, !Self.endsARun(characters[end]) { end += 1 }
                literal += Self.string(characters[index..<end])
                column += end - index
                index = end
            }
        }
        flush(&literal, into: &parts)
        appendWord(Word(parts: parts, quoting: quoting ?? .bare, location: start))
    }

    /// The scalars as a String, encoded by hand: far faster than appending to a UnicodeScalarView.
    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count)
        for scalar in scalars {
            if scalar.isASCII {
                bytes.append(UInt8(truncatingIfNeeded: scalar.value))
            } else {
                UTF8.encode(scalar) { bytes.append($0) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Characters that lexWord looks at one by one; everything else is copied in runs.
    private static func endsARun(_ character: Unicode.Scalar) -> Bool {
        switch character {
        case " ", "\t", "\r", "\n", ";", "`", "'", "\"", "$", "=": return true
        default: return false
        }
    }

    /// `$x=5` with no spaces: the `=` ends the variable word.
    private func isAssignmentPositionInsideWord(parts: [Word.Part], literal: String) -> Bool {
        wordsInStatement == 0 && literal.isEmpty && parts.count == 1
            && { if case .variable = parts[0] { return true } else { return false } }()
    }

    private mutating func lexSingleQuoted(into literal: inout String) throws(LanguageError) {
        let start = location
        advance()
        while true {
            guard let character = current else { throw .unterminatedString(quote: "'", at: start) }
            advance()
            if character == "'" {
                if current == "'" {
                    literal.append("'")
                    advance()
                    continue
                }
                return
            }
            literal.unicodeScalars.append(character)
        }
    }

    private mutating func lexDoubleQuoted(into parts: inout [Word.Part], literal: inout String) throws(LanguageError) {
        let start = location
        advance()
        while true {
            guard let character = current else { throw .unterminatedString(quote: "\"", at: start) }
            switch character {
            case "\"":
                advance()
                if current == "\"" {
                    literal.append("\"")
                    advance()
                    continue
                }
                return
            case "`":
                advance()
                guard let escaped = current else { throw .unterminatedString(quote: "\"", at: start) }
                advance()
                literal.unicodeScalars.append(Self.backtickEscape(escaped))
            case "$":
                if let reference = try lexVariable(allowPath: false) {
                    flush(&literal, into: &parts)
                    parts.append(.variable(reference))
                } else {
                    literal.append("$")
                    advance()
                }
            default:
                literal.unicodeScalars.append(character)
                advance()
            }
        }
    }

    /// Lexes `$name`, `${name}` or `$env:NAME` at the current `$`; nil (consuming nothing) when the
    /// `$` does not start a variable.
    private mutating func lexVariable(allowPath: Bool) throws(LanguageError) -> VariableReference? {
        let start = location
        guard let next = peek() else { return nil }
        if next == "{" {
            advance()
            advance()
            var name = ""
            while let character = current, character != "}" {
                if character == "\n" { throw .unterminatedBraceVariable(at: start) }
                name.unicodeScalars.append(character)
                advance()
            }
            guard current == "}" else { throw .unterminatedBraceVariable(at: start) }
            advance()
            guard !name.isEmpty else { throw .emptyVariableName(at: start) }
            return VariableReference(name: name, location: start)
        }
        if next == "(" { return try lexSubexpression() }
        guard Self.isNameCharacter(next) else { return nil }
        advance()
        var name = ""
        while let character = current, Self.isNameCharacter(character) {
            name.unicodeScalars.append(character)
            advance()
        }
        if name.lowercased() == "env", current == ":", let first = peek(), Self.isNameCharacter(first) {
            name.append(":")
            advance()
            while let character = current, Self.isNameCharacter(character) {
                name.unicodeScalars.append(character)
                advance()
            }
        }
        var path: [PathComponent] = []
        if allowPath { path = lexPath() }
        return VariableReference(name: name, path: path, location: start)
    }

    /// Lexes `$( $name.path )` at the current `$`: PowerShell's subexpression, here holding one
    /// variable with its members, which is how PowerShell writes a member inside a string
    /// (`"$($vm.id)"`; `"$vm.id"` is `$vm` followed by ".id"). Anything else in it (commands,
    /// arithmetic) is an error that says so.
    private mutating func lexSubexpression() throws(LanguageError) -> VariableReference {
        let start = location
        advance()
        advance()
        skipSpaces()
        guard current == "$", var reference = try lexVariable(allowPath: true) else { throw .subexpression(at: start) }
        // `${name}` takes no path itself; inside $( ) it may have one.
        if reference.path.isEmpty { reference.path = lexPath() }
        skipSpaces()
        guard current == ")" else { throw .subexpression(at: start) }
        advance()
        reference.location = start
        return reference
    }

    private mutating func skipSpaces() {
        while current == " " || current == "\t" { advance() }
    }

    private mutating func lexPath() -> [PathComponent] {
        var path: [PathComponent] = []
        while let character = current {
            if character == ".", let next = peek(), Self.isNameCharacter(next) {
                advance()
                var member = ""
                while let character = current, Self.isNameCharacter(character) || character == "-" {
                    member.unicodeScalars.append(character)
                    advance()
                }
                path.append(.member(member))
            } else if character == "[" {
                var offset = 1
                var digits = ""
                if peek(offset) == "-" {
                    digits = "-"
                    offset += 1
                }
                while let digit = peek(offset), ("0"..."9").contains(digit) {
                    digits.unicodeScalars.append(digit)
                    offset += 1
                }
                guard peek(offset) == "]", let value = Int(digits) else { return path }
                for _ in 0...offset { advance() }
                path.append(.index(value))
            } else {
                return path
            }
        }
        return path
    }

    private mutating func appendWord(_ word: Word) {
        tokens.append(.word(word))
        wordsInStatement += 1
    }

    private func flush(_ literal: inout String, into parts: inout [Word.Part]) {
        guard !literal.isEmpty else { return }
        parts.append(.literal(literal))
        literal = ""
    }

    /// Letters, digits and `_`, as in PowerShell variable names (any script's letters and digits).
    public static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber, .letterNumber,
            .otherNumber:
            return true
        default: return false
        }
    }

    private static func backtickEscape(_ character: Unicode.Scalar) -> Unicode.Scalar {
        switch character {
        case "n": "\n"
        case "t": "\t"
        case "r": "\r"
        case "0": "\0"
        case "a": "\u{07}"
        case "e": "\u{1B}"
        default: character
        }
    }
}

extension String {
    /// The text with every CRLF line ending turned into LF.
    func replacingCRLF() -> String {
        guard utf8.contains(13), contains("\r\n") else { return self }
        var result = ""
        result.reserveCapacity(utf8.count)
        for character in self {
            if character == "\r\n" { result.append("\n") } else { result.append(character) }
        }
        return result
    }
}
