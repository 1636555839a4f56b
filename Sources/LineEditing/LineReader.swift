import CEditLine
import CInterrupts
import Foundation

/// What reading a line produced.
public enum ReadResult: Sendable, Equatable {
    case line(String)
    /// Ctrl-D on an empty line, or the end of piped input.
    case endOfInput
    /// Ctrl-C: the line was abandoned.
    case interrupted
}

/// Reads lines of input, with a prompt when a person is typing.
public protocol LineReader: AnyObject {
    /// Reads one line (without its newline).
    func readLine(prompt: String) -> ReadResult
    /// Remembers a line for history recall (and saves it, where history is kept).
    func addToHistory(_ line: String)
}

/// Reads standard input plainly: for scripts and pipes, where line editing would only slow
/// things down (libedit reads a byte per system call when input is not a terminal).
public final class PlainLineReader: LineReader {
    public init() {}

    public func readLine(prompt: String) -> ReadResult {
        guard let line = Swift.readLine(strippingNewline: true) else { return .endOfInput }
        return .line(line.hasSuffix("\r") ? String(line.dropLast()) : line)
    }

    public func addToHistory(_ line: String) {}
}

/// Ctrl-C handling shared by the line editor and running commands.
public enum Interrupts {
    /// Installs a SIGINT handler that records the interrupt instead of ending the process, and
    /// that interrupts a blocking read (no SA_RESTART).
    public static func install() {
        _ = nwsh_install_sigint_handler()
    }

    /// Whether Ctrl-C was pressed since the last call (clears the flag).
    public static func take() -> Bool {
        nwsh_take_interrupt() != 0
    }
}
