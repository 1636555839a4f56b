import ShellLanguage

/// Collects input lines until they form complete statements: a here-string or an open string
/// continues over the following lines (the REPL shows a continuation prompt meanwhile).
public struct StatementAssembler: Sendable {
    private var pending: [String] = []
    private var firstLine = 1
    /// The number of the next line to be added (1-based).
    public private(set) var nextLineNumber = 1

    public init() {}

    /// Whether earlier lines are waiting for more.
    public var isContinuing: Bool { !pending.isEmpty }

    /// Adds a line; returns the complete text and its first line number when the statement is complete.
    public mutating func add(_ line: String) -> (text: String, firstLine: Int)? {
        if pending.isEmpty { firstLine = nextLineNumber }
        nextLineNumber += 1
        pending.append(line)
        let text = pending.joined(separator: "\n")
        if Lexer.needsMoreInput(text) { return nil }
        pending = []
        return (text, firstLine)
    }

    /// Drops the lines collected so far (Ctrl-C at a continuation prompt).
    public mutating func reset() {
        pending = []
    }

    /// At the end of input: the error for an unfinished statement, if any.
    public func unfinishedError() -> LanguageError? {
        guard !pending.isEmpty else { return nil }
        do {
            _ = try Lexer.tokenize(pending.joined(separator: "\n"), firstLine: firstLine)
            return nil
        } catch {
            return error
        }
    }
}
