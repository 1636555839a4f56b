/// Tab-completion candidates for a partly typed line. Pure, so it is tested without a terminal.
public enum Completion {
    /// Candidates for `word`, the text before the cursor back to the last word break, given the
    /// whole line before it: variable names for `$...`, command names for the first word, the
    /// command's options for `-...`.
    public static func candidates(lineBeforeWord: String, word: String, variables: [String]) -> [String] {
        // A variable being typed, possibly inside a longer word such as a URL: /subscriptions/$sub
        if let dollar = word.lastIndex(of: "$") {
            let before = word[..<dollar]
            let reference = word[word.index(after: dollar)...]
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
        let previous = lineBeforeWord.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let words = previous.first?.lowercased() == "armclient" ? Array(previous.dropFirst()) : previous
        let isFirstWord = words.isEmpty || (words.count == 2 && words[1] == "=" && words[0].hasPrefix("$"))
        if isFirstWord {
            let names = CommandCatalog.names + (previous.isEmpty ? ["armclient"] : [])
            return names.filter { $0.hasPrefix(word.lowercased()) }.sorted()
        }
        if word.hasPrefix("-") {
            let command = words.count >= 3 && words[1] == "=" ? words[2] : words[0]
            guard let spec = CommandCatalog.spec(named: command) else { return [] }
            return spec.options.filter { $0.hasPrefix(word) }
        }
        if words.first?.lowercased() == "help", words.count == 1 {
            return CommandCatalog.names.filter { $0.hasPrefix(word.lowercased()) }
        }
        return []
    }
}
