import CEditLine
import CInterrupts
import Foundation
import Synchronization

/// Line editing with libedit's readline-compatible API: editing keys, history kept in a file
/// (mode 0600) across sessions, and Tab completion from a provider.
///
/// libedit keeps global state, so there is one editor per process; it is used from one thread at a
/// time (the shell's input thread).
public final class EditLineReader: LineReader, @unchecked Sendable {
    /// Computes completion candidates: (text of the line before the word, the word) -> candidates.
    public typealias CompletionProvider = @Sendable (_ lineBeforeWord: String, _ word: String) -> [String]

    private let historyPath: String?
    private static let maximumHistory: Int32 = 1000

    /// Sets up libedit; `historyPath` nil keeps no history file.
    public init(historyPath: String?, completion: @escaping CompletionProvider) {
        self.historyPath = historyPath
        Self.configureLocale()
        nwsh_set_readline_name("nwsh")
        nwsh_set_catch_signals(0)
        using_history()
        stifle_history(Self.maximumHistory)
        if let historyPath {
            Self.prepareHistoryFile(historyPath)
            _ = read_history(historyPath)
        }
        completionState.withLock { $0.provider = completion }
        nwsh_set_word_break_characters()
        nwsh_set_completion_function(attemptCompletion)
    }

    public func readLine(prompt: String) -> ReadResult {
        _ = Interrupts.take()
        nwsh_begin_reading()
        let line = CEditLine.readline(prompt)
        nwsh_end_reading()
        guard let raw = line else {
            if Interrupts.take() {
                FileHandle.standardOutput.write(Data("\n".utf8))
                return .interrupted
            }
            FileHandle.standardOutput.write(Data("\n".utf8))
            return .endOfInput
        }
        defer { free(raw) }
        // Ctrl-C that arrived while libedit was busy (not blocked in read) did not interrupt it;
        // the line it was part of is abandoned all the same, as the user asked.
        if Interrupts.take() { return .interrupted }
        return .line(String(cString: raw))
    }

    public func addToHistory(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        add_history(line)
        guard let historyPath else { return }
        _ = write_history(historyPath)
        chmod(historyPath, 0o600)
    }

    /// Passes every history line through `transform`, in memory and in the file: a secret learned
    /// after its line was typed (`$pw = "..."`, sent later in a request body) leaves the history.
    public func rewriteHistory(_ transform: (String) -> String) {
        let base = nwsh_history_base()
        var lines: [String] = []
        for offset in 0..<nwsh_history_length() {
            guard let entry = history_get(base + offset), let text = entry.pointee.line else { continue }
            lines.append(String(cString: text))
        }
        let rewritten = lines.map(transform)
        guard rewritten != lines else { return }
        clear_history()
        for line in rewritten { add_history(line) }
        guard let historyPath else { return }
        _ = write_history(historyPath)
        chmod(historyPath, 0o600)
    }

    /// Writes a line of text under the line being edited, then draws the prompt and the line
    /// again: a hint from a completion provider (why nothing was completed).
    public static func showMessage(_ text: String) {
        FileHandle.standardOutput.write(Data(("\n" + text + "\n").utf8))
        nwsh_redisplay()
    }

    /// Creates the history file (and its folder) with owner-only permissions.
    static func prepareHistoryFile(_ path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !FileManager.default.fileExists(atPath: path) {
            let descriptor = open(path, O_CREAT | O_WRONLY, 0o600)
            if descriptor >= 0 { close(descriptor) }
        }
        chmod(path, 0o600)
    }

    /// libedit drops non-ASCII input unless LC_CTYPE names a UTF-8 locale.
    static func configureLocale() {
        if let current = setlocale(LC_CTYPE, ""), String(cString: current).lowercased().contains("utf") { return }
        if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "en_US.UTF-8") }
    }

    /// Where history is kept: `NWSH_HISTORY`, else `$XDG_STATE_HOME/nwsh/history`, else
    /// `~/.local/state/nwsh/history` when `~/.local/state` exists, else `~/.nwsh_history`.
    /// `NWSH_HISTORY=` (empty) keeps no history.
    public static func defaultHistoryPath(environment: [String: String]) -> String? {
        if let explicit = environment["NWSH_HISTORY"] { return explicit.isEmpty ? nil : explicit }
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/nwsh/history" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: home + "/.local/state", isDirectory: &isDirectory), isDirectory.boolValue {
            return home + "/.local/state/nwsh/history"
        }
        return home + "/.nwsh_history"
    }
}

private struct CompletionState {
    var provider: EditLineReader.CompletionProvider?
    var matches: [String] = []
}

private let completionState = Mutex(CompletionState())

private func attemptCompletion(
    _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    nwsh_set_attempted_completion_over(1)
    let word = text.map { String(cString: $0) } ?? ""
    let line = nwsh_line_buffer().map { String(cString: $0) } ?? ""
    let characters = Array(line)
    let lineBeforeWord = String(characters.prefix(max(0, min(Int(start), characters.count))))
    let matches = completionState.withLock { state -> [String] in
        state.matches = state.provider?(lineBeforeWord, word) ?? []
        return state.matches
    }
    guard !matches.isEmpty else { return nil }
    // After a command name a space is wanted; after a variable (often inside a URL) or a path
    // segment that has more under it (`subnets/`) it is not.
    let continues = word.contains("$") || (matches.count == 1 && matches[0].hasSuffix("/"))
    nwsh_set_completion_append_character(continues ? 0 : 32)
    return rl_completion_matches(text, completionEntry)
}

private func completionEntry(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    let match = completionState.withLock { completion -> String? in
        Int(state) < completion.matches.count ? completion.matches[Int(state)] : nil
    }
    return match.flatMap { strdup($0) }
}
