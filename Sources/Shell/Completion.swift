import Diagnostics
import ShellLanguage

/// Tab-completion candidates for a partly typed line. Pure, so it is tested without a terminal.
public enum Completion {
    /// Candidates for `word`, the text before the cursor back to the last word break, given the
    /// whole line before it: variable names for `$...`, members for `$name.path.` (of the
    /// variable's value now), command names for the first word, the command's options for `-...`,
    /// and the values of an option that takes one of a few (`--protocol Tcp|Http|Https|Icmp`).
    public static func candidates(lineBeforeWord: String, word: String, variables: Variables) -> [String] {
        // A variable being typed, possibly inside a longer word such as a URL: /subscriptions/$sub
        if let dollar = word.lastIndex(of: "$") {
            let before = word[..<dollar]
            let reference = word[word.index(after: dollar)...]
            let variables = variables.names
            if reference.hasPrefix("{") {
                let prefix = reference.dropFirst().lowercased()
                return variables.filter { $0.lowercased().hasPrefix(prefix) }.map { before + "${\($0)}" }.sorted()
            }
            if !reference.contains(where: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
                let prefix = reference.lowercased()
                let builtins = before.isEmpty ? ["true", "false", "null"] : []
                return (variables + builtins).filter { $0.lowercased().hasPrefix(prefix) }.map { before + "$" + $0 }.sorted()
            }
        }
        if let members = memberCandidates(lineBeforeWord: lineBeforeWord, word: word, variables: variables) { return members }
        let previous = lineBeforeWord.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let words = previous.first?.lowercased() == "armclient" ? Array(previous.dropFirst()) : previous
        let isFirstWord = words.isEmpty || (words.count == 2 && words[1] == "=" && words[0].hasPrefix("$"))
        if isFirstWord {
            let names = CommandRegistry.names + (previous.isEmpty ? ["armclient"] : [])
            return names.filter { $0.hasPrefix(word.lowercased()) }.sorted()
        }
        let command = words.count >= 3 && words[1] == "=" ? words[2] : words[0]
        if let spec = CommandRegistry.spec(named: command), let options = optionCandidates(spec: spec, words: words, word: word) {
            return options
        }
        if words.first?.lowercased() == "help", words.count == 1 {
            return CommandRegistry.names.filter { $0.hasPrefix(word.lowercased()) }
        }
        return []
    }

    /// From the command's spec: the values of an option that takes one of a few (`check
    /// --protocol <Tab>`), or its option names (and keywords) for a word that starts with `-`; nil
    /// when neither applies.
    static func optionCandidates(spec: CommandSpec, words: [String], word: String) -> [String]? {
        if words.count >= 2, let last = words.last, let option = spec.option(named: last), !option.choices.isEmpty {
            return option.choices.filter { $0.lowercased().hasPrefix(word.lowercased()) }
        }
        guard word.hasPrefix("-") else { return nil }
        return spec.options.filter { $0.hasPrefix(word) }
    }

    /// Members for a word that ends in a member being typed, `$vm.prop` or `"$($r.hops[0].iss`:
    /// the members of what the path before the last `.` denotes (for an array, its elements'
    /// members and `count`, as the path would read them), whose names start with what is typed,
    /// ignoring case. Only where the language reads a path: a word that starts with the variable,
    /// or a subexpression (elsewhere `$vm.location` is `$vm` followed by ".location"). Nil when
    /// the word is not such a reference; no candidates when the path denotes nothing.
    static func memberCandidates(lineBeforeWord: String, word: String, variables: Variables) -> [String]? {
        guard let dollar = word.lastIndex(of: "$") else { return nil }
        let before = word[..<dollar]
        let preceding = lineBeforeWord + before
        let inSubexpression = preceding.reversed().drop(while: { $0 == " " }).starts(with: "($")
        let quote = openQuote(in: preceding)
        guard quote != "'", inSubexpression || (before.isEmpty && quote == nil) else { return nil }
        let reference = word[word.index(after: dollar)...]
        guard let dot = reference.lastIndex(of: "."), dot > reference.startIndex else { return nil }
        let partial = reference[reference.index(after: dot)...]
        guard partial.unicodeScalars.allSatisfy({ Lexer.isNameCharacter($0) || $0 == "-" }) else { return nil }
        let head = "$" + reference[..<dot]
        guard let tokens = try? Lexer.tokenize(head), tokens.filter({ $0 != .separator }).count == 1, case .word(let path)? = tokens.first,
            let variable = path.soleVariable, "$" + variable.name + variable.path.map(\.displayText).joined() == head,
            let value = try? Evaluator(variables: variables).value(of: variable)
        else { return [] }
        var names: [String]
        switch value {
        case .object(let object):
            names = object.keys
        case .array(let elements):
            names = ["count"]
            var seen: Set<String> = ["count"]
            for case .object(let object) in elements { names += object.keys.filter { seen.insert($0).inserted } }
        default:
            return []
        }
        // Only names a path can spell: letters, digits, _ and -.
        let prefix = partial.lowercased()
        return
            names
            .filter { $0.lowercased().hasPrefix(prefix) && $0.unicodeScalars.allSatisfy { Lexer.isNameCharacter($0) || $0 == "-" } }
            .sorted { $0.lowercased() < $1.lowercased() }
            .map { before + head + "." + $0 }
    }

    /// The quote a line is inside at its end (`"` or `'`), as the lexer reads quotes: a single
    /// quote is literal inside double quotes and the other way round, and a backtick escapes in
    /// double quotes.
    static func openQuote(in text: String) -> Character? {
        var open: Character?
        var escaped = false
        for character in text {
            if escaped {
                escaped = false
            } else if open == "\"", character == "`" {
                escaped = true
            } else if open == nil, character == "\"" || character == "'" {
                open = character
            } else if character == open {
                open = nil
            }
        }
        return open
    }
}
