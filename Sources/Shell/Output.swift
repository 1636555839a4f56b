import Cassettes
import Foundation
import JSON
import ShellLanguage

/// Where the shell writes: results to standard output, messages and progress to standard error.
public protocol OutputSink: Sendable {
    /// Writes a result (JSON, listings).
    func out(_ text: String)
    /// Writes a message, an error or progress.
    func err(_ text: String)
}

/// Writes to the process's standard output and standard error.
public struct StandardOutput: OutputSink {
    public init() {}
    public func out(_ text: String) { Self.write(text, to: STDOUT_FILENO) }
    public func err(_ text: String) { Self.write(text, to: STDERR_FILENO) }

    /// Writes the text's UTF-8 straight from the string (an explanation can be megabytes; no
    /// copy), all of it unless the reader has gone away (a closed pipe ends the output quietly).
    static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

/// Output that first waits until the recorder has written everything recorded so far: nothing is
/// shown before it is in the journal, so `kill -9` loses nothing already shown.
struct JournaledOutput: OutputSink {
    let inner: OutputSink
    let slot: RecorderSlot

    func out(_ text: String) {
        slot.recorder?.flush()
        inner.out(text)
    }

    func err(_ text: String) {
        slot.recorder?.flush()
        inner.err(text)
    }
}

/// How output looks: colours and whether a person is watching (progress lines, hints).
public struct OutputStyle: Sendable, Equatable {
    /// Colour on standard output.
    public var color: Bool
    /// Colour on standard error.
    public var errorColor: Bool
    /// Standard error is a terminal: show progress that rewrites its line.
    public var progress: Bool
    /// Show request and response headers (`-v`).
    public var verbose: Bool

    public init(color: Bool = false, errorColor: Bool = false, progress: Bool = false, verbose: Bool = false) {
        self.color = color
        self.errorColor = errorColor
        self.progress = progress
        self.verbose = verbose
    }

    /// The JSON formatter for results.
    public var jsonFormatter: JSONFormatter { JSONFormatter(indent: 2, palette: color ? .ansi : .plain) }

    /// `text` in red on a colour terminal.
    func red(_ text: String) -> String { errorColor ? "\u{1B}[31m\(text)\u{1B}[0m" : text }
    /// `text` dimmed on a colour terminal.
    func dim(_ text: String) -> String { errorColor ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
    /// `text` in bold on standard output, on a colour terminal (a table's header).
    func bold(_ text: String) -> String { color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
}

/// "1 interaction", "2 interactions".
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}

/// Whether to colour output, as `--color` and `NO_COLOR` decide.
public enum ColorChoice: String, Sendable, CaseIterable {
    case auto, always, never

    /// Whether a stream gets colour: `always` and `never` win; `auto` colours a terminal unless
    /// `NO_COLOR` is set (to anything non-empty) or `TERM` is `dumb`.
    public func enabled(isTerminal: Bool, environment: [String: String]) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
            if environment["TERM"] == "dumb" { return false }
            return isTerminal
        }
    }
}
