import Synchronization

/// The secret values that redaction has removed during a session, so that each is removed wherever
/// else it appears in what nwsh writes: command text in cassettes, the history file, `-v` output.
///
/// Redaction removes secrets by where they sit (a `password` member, a `client_secret` form field,
/// an API-key header). The same value typed in a command (`$pw = "hunter2"`, a here-string body, a
/// `-h "x-functions-key: ..."`) sits nowhere redaction can recognise, so the value itself is learned
/// and replaced by ``Redactor/placeholder`` as text. Values shorter than ``minimumLength`` are not
/// learned: replacing a two-letter value everywhere would corrupt the recording, and such a value
/// protects nothing. The placeholders themselves are never learned.
public final class SecretLedger: Sendable {
    /// The shortest value that is learned.
    public static let minimumLength = 4

    private struct State {
        /// In the order learned.
        var values: [String] = []
        var known: Set<String> = []
        /// Longest first, so a secret that contains another is replaced whole.
        var replacementOrder: [String] = []
    }
    private let state = Mutex(State())

    public init() {}

    /// Learns values; returns whether any was new.
    @discardableResult
    public func learn(_ values: some Sequence<String>) -> Bool {
        state.withLock { state in
            var added = false
            for value in values where Self.isLearnable(value) && !state.known.contains(value) {
                state.known.insert(value)
                state.values.append(value)
                added = true
            }
            if added { state.replacementOrder = state.values.sorted { $0.utf8.count > $1.utf8.count } }
            return added
        }
    }

    /// How many values have been learned: a count that only grows, so a writer can tell whether
    /// what it wrote earlier needs another look.
    public var count: Int { state.withLock { $0.values.count } }

    /// Whether nothing has been learned (the common case, which costs nothing).
    public var isEmpty: Bool { count == 0 }

    /// The values learned after the first `start`.
    public func values(from start: Int) -> [String] {
        state.withLock { Array($0.values.dropFirst(start)) }
    }

    /// Whether the text contains any of `values`.
    public static func contains(any values: [String], in text: String) -> Bool {
        values.contains { text.containsExactly($0) }
    }

    /// The text with every learned value replaced by the placeholder.
    public func scrub(_ text: String) -> String {
        let order = state.withLock { $0.replacementOrder }
        var result = text
        for value in order { result = result.replacingAll(value, with: Redactor.placeholder) }
        return result
    }

    private static func isLearnable(_ value: String) -> Bool {
        value.utf8.count >= minimumLength && !value.containsExactly(Redactor.placeholder)
    }
}
